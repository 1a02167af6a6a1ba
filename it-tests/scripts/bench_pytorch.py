#!/usr/bin/python3
"""Times torchvision models in Debian's PyTorch the way docs/PERFORMANCE.md compares them with Fovea:
batch 1 (or --batch N), random weights, inference_mode, TorchScript frozen and optimised for inference,
torch.set_num_threads(T). Prints one JSON object per model with the median and p90 in milliseconds.

Install libopenblas0-openmp first: Debian's PyTorch otherwise runs on the reference BLAS.

    /usr/bin/python3 it-tests/scripts/bench_pytorch.py --threads 2 [--batch 1] [--seconds 8] resnet50 ...
"""
import argparse
import json

import torch

import torchvision_figures
from timing import measure


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for name in args.names:
        model = torchvision_figures.model(name).eval()
        x = torch.randn(args.batch, 3, 224, 224)
        with torch.inference_mode():
            frozen = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(model)))
            timed = measure(lambda: frozen(x), args.seconds)
        print(json.dumps({"model": name, "batch": args.batch, "threads": args.threads, **timed,
                          "torch": torch.__version__, "blas": torch.__config__.show().count("BLAS")}), flush=True)


if __name__ == "__main__":
    main()
