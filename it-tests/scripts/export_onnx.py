#!/usr/bin/python3
"""Exports torchvision models (random weights) to ONNX for the ONNX Runtime benchmarks
(OnnxRuntimeBenchmark in the bench profile, bench_onnxruntime.py).

    /usr/bin/python3 it-tests/scripts/export_onnx.py [--batch B] DIR [name ...]

Writes DIR/<name>.onnx for a batch of 1 at 224x224, opset 13, or DIR/<name>-b<B>.onnx for a batch of B:
a fixed batch, as Fovea's sessions have, so that ONNX Runtime plans its buffers for it.
"""
import argparse
import os

import torch

import torchvision_figures
from onnx_files import onnx_name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("directory")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    names = args.names or ["resnet50", "resnet18", "googlenet", "alexnet", "mobilenet_v2", "mobilenet_v1", "vgg16"]
    os.makedirs(args.directory, exist_ok=True)
    for name in names:
        model = torchvision_figures.model(name).eval()
        path = os.path.join(args.directory, onnx_name(name, args.batch))
        torch.onnx.export(model, torch.randn(args.batch, 3, 224, 224), path + ".tmp", opset_version=13, input_names=["input"],
                          output_names=["logits"])
        os.replace(path + ".tmp", path)
        print(path)


if __name__ == "__main__":
    main()
