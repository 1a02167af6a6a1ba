#!/usr/bin/python3
"""Trains on Debian's Fashion-MNIST in Debian's PyTorch with the recipe `fovea train MODEL` uses by
default, for the wall-time comparison in docs/PERFORMANCE.md: inputs padded to the model's size (LeNet's
28 -> 32) and normalised with the training set's mean and standard deviation, shuffled batches of 64
(the last partial one dropped), SGD with momentum 0.9 and weight decay 5e-4, learning rate 0.05 on a
per-step cosine schedule, softmax cross-entropy with label smoothing 0.1; the test split evaluated after every
epoch (its loss without smoothing).
torch.set_num_threads(T). Prints one JSON line per epoch, as `fovea train --json` does, then the total.

    /usr/bin/python3 it-tests/scripts/train_pytorch_fashion.py --threads 2 --epochs 10 lenet
"""
import argparse
import gzip
import json
import math
import time

import numpy
import torch

from bench_pytorch_train import SMALL

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(f"{DATA}/{name}", "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return numpy.frombuffer(raw, numpy.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split, size):
    x = torch.from_numpy(idx(f"{split}-images-idx3-ubyte.gz").astype(numpy.float32) / 255).unsqueeze(1)
    pad = (size - 28) // 2
    if pad:
        x = torch.nn.functional.pad(x, (pad, pad, pad, pad))
    return x, torch.from_numpy(idx(f"{split}-labels-idx1-ubyte.gz").astype(numpy.int64))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--label-smoothing", type=float, default=0.1)
    parser.add_argument("model", choices=["lenet", "resnet20gray"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    build, shape = SMALL[args.model]
    start = time.perf_counter()
    x, y = load("train", shape[1])
    tx, ty = load("t10k", shape[1])
    mean, std = x.mean().item(), x.std(unbiased=False).item()
    x, tx = (x - mean) / std, (tx - mean) / std
    model = build()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    steps = args.epochs * (len(x) // args.batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (1 + math.cos(math.pi * min(s, steps) / steps)) / 2)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        model.train()
        order = torch.randperm(len(x))
        total, correct, seen = 0.0, 0, 0
        for b in range(len(x) // args.batch):
            idx_b = order[b * args.batch:(b + 1) * args.batch]
            xb, yb = x[idx_b], y[idx_b]
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            schedule.step()
            total += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            seen += len(yb)
        model.eval()
        test_loss, top1, top5 = 0.0, 0, 0
        with torch.no_grad():
            for b in range(0, len(tx), 1000):
                out = model(tx[b:b + 1000])
                yb = ty[b:b + 1000]
                test_loss += torch.nn.functional.cross_entropy(out, yb, reduction="sum").item()
                best = out.topk(5, 1).indices
                top1 += (best[:, 0] == yb).sum().item()
                top5 += (best == yb[:, None]).any(1).sum().item()
        seconds = time.perf_counter() - t0
        print(json.dumps({"epoch": epoch + 1, "train_loss": round(total / seen, 6), "train_top1": round(correct / seen, 6),
                          "test_loss": round(test_loss / len(tx), 6), "test_top1": top1 / len(tx), "test_top5": top5 / len(tx),
                          "seconds": round(seconds, 3), "images_per_s": round(seen / seconds, 1)}), flush=True)
    print(json.dumps({"model": args.model, "threads": args.threads, "total_seconds": round(time.perf_counter() - start, 2)}))


if __name__ == "__main__":
    main()
