#!/usr/bin/python3
"""Times each oneDNN primitive inside Debian's PyTorch's frozen forward pass, for comparing layer by
layer with `fovea bench MODEL --profile`. oneDNN reports every primitive it runs with its time
(`torch.backends.mkldnn.verbose`); this groups them by shape and prints each group's median, in the
order of the pass. Convolutions with the same shape share a row ("3x" = three such layers).

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 it-tests/scripts/pytorch_layer_times.py --threads 2 resnet50
"""
import argparse
import collections
import os
import statistics
import sys
import tempfile

import torch

import torchvision_figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--passes", type=int, default=100)
    parser.add_argument("name")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = torchvision_figures.model(args.name).eval()
    x = torch.randn(1, 3, 224, 224)
    with torch.inference_mode():
        frozen = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(model)))
        for _ in range(300):
            frozen(x)
        # oneDNN writes its lines to the process's stdout from C++: capture file descriptor 1
        lines = capture_stdout(lambda: verbose_passes(frozen, x, args.passes))
    times = collections.OrderedDict()
    for line in lines:
        fields = line.strip().split(",")
        if len(fields) < 10 or fields[1] != "exec":
            continue
        times.setdefault((fields[3], fields[-2]), []).append(float(fields[-1]))
    total = 0.0
    for (primitive, shape), ms in times.items():
        per_pass = len(ms) // args.passes
        median = statistics.median(ms)
        total += median * per_pass
        print(f"{primitive:12s} {per_pass:3d}x {median:7.3f} ms  {shape}")
    print(f"sum of medians per pass: {total:.2f} ms")


def verbose_passes(frozen, x, passes):
    with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
        for _ in range(passes):
            frozen(x)


def capture_stdout(action):
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile("w+") as log:
        os.dup2(log.fileno(), 1)
        try:
            action()
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
        log.seek(0)
        return log.readlines()


if __name__ == "__main__":
    main()
