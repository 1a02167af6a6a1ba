#!/usr/bin/python3
"""Fixtures for the PyTorch parity test: torchvision models with seeded random weights, exported as
safetensors, and their logits for one input that both sides compute from a formula.

Run with Debian's interpreter (python3-torch, python3-torchvision):

    /usr/bin/python3 it-tests/scripts/pytorch_parity.py DIR [--half] [--onnx] [name ...]

For each model it writes DIR/<name>.safetensors (the state dict; --half stores float16, and the logits
are computed from the same rounded weights) and DIR/<name>.logits.safetensors; --onnx also writes the
model as PyTorch exports it to ONNX (opset 13, batch dynamic, batch norm folded into the convolutions
as eval mode does), DIR/<name>.onnx, for the import test. Pretrained weights are not
fetched: the point is that the same weights give the same logits.
"""
import json
import math
import os
import struct
import sys

import torch
import torchvision.models as models


def write_safetensors(path, tensors, dtype):
    """The safetensors layout: u64 header length, JSON header, raw little-endian data. Integer tensors are I64."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        kind = torch.int64 if t.dtype == torch.int64 else dtype  # labels stay integers
        data = t.detach().contiguous().to(kind).numpy().tobytes()
        header[name] = {"dtype": {torch.float16: "F16", torch.int64: "I64"}.get(kind, "F32"), "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)


def parity_input(size=224):
    """x[i] = 0.5 sin(0.37 i) over the flat 1x3xHxW tensor; ParityInput.java computes the same."""
    n = 3 * size * size
    return torch.tensor([0.5 * math.sin(0.37 * i) for i in range(n)], dtype=torch.float32).reshape(1, 3, size, size)


SIZES = {"inception_v3": 299}  # each model's input size where it is not 224


def build(name, half):
    torch.manual_seed(0)
    kwargs = {"aux_logits": False, "init_weights": True} if name in ("googlenet", "inception_v3") else {}
    model = getattr(models, name)(**kwargs).eval()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1, generator=g)
                m.running_var.uniform_(0.5, 1.5, generator=g)
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.normal_(0, 0.1, generator=g)
        if half:
            for t in model.state_dict().values():
                if t.is_floating_point():
                    t.copy_(t.half().float())
    return model


if __name__ == "__main__":
    directory = sys.argv[1]
    half = "--half" in sys.argv
    onnx = "--onnx" in sys.argv
    names = [a for a in sys.argv[2:] if not a.startswith("--")] or ["resnet18", "mobilenet_v2", "googlenet", "densenet121",
                                                                      "convnext_tiny", "regnet_y_400mf", "vgg11_bn", "alexnet"]
    os.makedirs(directory, exist_ok=True)
    torch.set_num_threads(2)
    for name in names:
        model = build(name, half)
        state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
        write_safetensors(os.path.join(directory, name + ".safetensors"), state, torch.float16 if half else torch.float32)
        size = SIZES.get(name, 224)
        with torch.no_grad():
            logits = model(parity_input(size))
        write_safetensors(os.path.join(directory, name + ".logits.safetensors"), {"logits": logits[0]}, torch.float32)
        if onnx:
            path = os.path.join(directory, name + ".onnx")
            torch.onnx.export(model, parity_input(size), path + ".tmp", opset_version=13, input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
            os.replace(path + ".tmp", path)
        print(name, "logits[:3]", [round(float(v), 5) for v in logits[0][:3]])
