#!/usr/bin/python3
"""Fixtures for the gradient parity test: one training-mode forward and backward of torchvision models
(batch statistics, dropout and stochastic depth off, mean softmax cross-entropy), in float64 (the
reference) and in float32 (PyTorch's own error, which Fovea's is held to).

    /usr/bin/python3 it-tests/scripts/pytorch_gradients.py DIR [name ...]

For each model it writes DIR/<name>.safetensors (the state dict, as pytorch_parity.py makes it),
DIR/<name>.batch.safetensors (`input`, 2x3x224x224, and `labels`, I64), and
DIR/<name>.grad64.safetensors and DIR/<name>.grad32.safetensors (`loss` and every parameter's gradient
under its state-dict name). A name may ask for another batch size, as resnet18@16 (16 images, the files
named after it): large enough for the kernels that take the samples in vector lanes.
"""
import os
import sys

import torch

from pytorch_parity import build, write_safetensors


def batch(n=2):
    g = torch.Generator().manual_seed(7)
    images = torch.rand(n, 3, 224, 224, generator=g) * 2 - 1
    return images, torch.tensor([3, 917]) if n == 2 else torch.randint(0, 1000, (n,), generator=g)


def gradients(model, images, labels, dtype):
    model = model.to(dtype).train()
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout) or type(m).__name__ == "StochasticDepth":
            m.eval()
    model.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(images.to(dtype)), labels)
    loss.backward()
    out = {"loss": loss.detach().reshape(1)}
    for name, p in model.named_parameters():
        out[name] = p.grad
    return out


if __name__ == "__main__":
    directory = sys.argv[1]
    names = sys.argv[2:] or ["resnet18", "mobilenet_v2", "densenet121", "googlenet", "convnext_tiny", "regnet_y_400mf",
                             "squeezenet1_0", "vgg11_bn", "resnext50_32x4d"]
    os.makedirs(directory, exist_ok=True)
    torch.set_num_threads(2)
    for name in names:
        images, labels = batch(int(name.split("@")[1]) if "@" in name else 2)
        model = build(name.split("@")[0], False)
        state = {k: v.clone() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
        write_safetensors(os.path.join(directory, name + ".safetensors"), state, torch.float32)
        write_safetensors(os.path.join(directory, name + ".batch.safetensors"), {"input": images, "labels": labels}, torch.float32)
        for dtype, suffix in ((torch.float64, "grad64"), (torch.float32, "grad32")):
            model = build(name.split("@")[0], False)
            grads = gradients(model, images, labels, dtype)
            write_safetensors(os.path.join(directory, name + "." + suffix + ".safetensors"), grads, torch.float32)
        print(name, "loss", float(grads["loss"]))
