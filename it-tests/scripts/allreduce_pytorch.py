#!/usr/bin/env python3
"""The peer of SparkAllReduceBenchmark: one all-reduce (sum, then divide, as DistributedDataParallel
averages) of ResNet-18's gradients and batch-norm statistics between two processes on this machine,
with PyTorch's gloo backend over TCP on 127.0.0.1. Prints the median and the quartiles in ms.

    /usr/bin/python3 it-tests/scripts/allreduce_pytorch.py [--floats 11699112] [--seconds 20]
"""
import argparse
import os
import statistics
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def worker(rank, world, floats, seconds, port, out):
    torch.set_num_threads(1)
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    grads = torch.full((floats,), float(rank + 1))
    for _ in range(5):
        dist.all_reduce(grads)
        grads.div_(world)
    times = []
    end = time.perf_counter() + seconds
    while True:
        dist.barrier()
        start = time.perf_counter()
        dist.all_reduce(grads)
        grads.div_(world)
        times.append((time.perf_counter() - start) * 1000)
        done = torch.tensor([1 if time.perf_counter() > end else 0])
        dist.all_reduce(done, op=dist.ReduceOp.MAX)
        if done.item():
            break
    if rank == 0:
        out.put(times)
    dist.destroy_process_group()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--floats", type=int, default=11_699_112)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--port", type=int, default=29517)
    a = p.parse_args()
    ctx = mp.get_context("spawn")
    out = ctx.SimpleQueue()
    procs = [ctx.Process(target=worker, args=(r, 2, a.floats, a.seconds, a.port, out)) for r in range(2)]
    for proc in procs:
        proc.start()
    times = out.get()
    for proc in procs:
        proc.join()
    q = statistics.quantiles(times, n=4)
    print(f"torch {torch.__version__} gloo all_reduce of {a.floats} floats, 2 processes: "
          f"median {statistics.median(times):.2f} ms (quartiles {q[0]:.2f} to {q[2]:.2f}), {len(times)} rounds")


if __name__ == "__main__":
    main()
