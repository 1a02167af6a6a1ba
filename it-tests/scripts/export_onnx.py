#!/usr/bin/python3
"""Exports torchvision models (random weights) to ONNX for the ONNX Runtime benchmark in the bench profile.

    /usr/bin/python3 it-tests/scripts/export_onnx.py DIR [name ...]

Writes DIR/<name>.onnx for a batch of 1 at 224x224, opset 13.
"""
import os
import sys

import torch

import torchvision_figures


def main():
    directory = sys.argv[1]
    names = sys.argv[2:] or ["resnet50", "resnet18", "googlenet", "alexnet", "mobilenet_v2", "mobilenet_v1", "vgg16"]
    os.makedirs(directory, exist_ok=True)
    for name in names:
        model = torchvision_figures.model(name).eval()
        path = os.path.join(directory, name + ".onnx")
        torch.onnx.export(model, torch.randn(1, 3, 224, 224), path + ".tmp", opset_version=13, input_names=["input"],
                          output_names=["logits"])
        os.replace(path + ".tmp", path)
        print(path)


if __name__ == "__main__":
    main()
