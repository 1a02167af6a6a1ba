#!/usr/bin/python3
"""Times one training step in Debian's PyTorch the way `fovea bench MODEL --train` times Fovea's:
random weights, random images and labels, model.train(), SGD with momentum 0.9 and weight decay 1e-4,
softmax cross-entropy; a step is zero_grad, forward, loss, backward and the update.
torch.set_num_threads(T). Prints one JSON object per model with the median and p90 in milliseconds.

    /usr/bin/python3 it-tests/scripts/bench_pytorch_train.py --threads 2 --batch 16 [--seconds 10] resnet18 ...

`lenet` is the zoo's LeNet (1x32x32, ReLU, max pooling) and `resnet20gray` the zoo's ResNet-20 for 1x28x28
(projection shortcuts, torchvision's BasicBlock), both defined here.
"""
import argparse
import json

import torch

import torchvision_figures
from timing import measure


def lenet():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(400, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10))


def resnet20(channels):
    from torchvision.models.resnet import BasicBlock

    def stage(inputs, outputs, stride):
        down = None if stride == 1 and inputs == outputs else torch.nn.Sequential(
            torch.nn.Conv2d(inputs, outputs, 1, stride, bias=False), torch.nn.BatchNorm2d(outputs))
        return [BasicBlock(inputs, outputs, stride, down), BasicBlock(outputs, outputs), BasicBlock(outputs, outputs)]

    return torch.nn.Sequential(
        torch.nn.Conv2d(channels, 16, 3, 1, 1, bias=False), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
        *stage(16, 16, 1), *stage(16, 32, 2), *stage(32, 64, 2),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(64, 10))


SMALL = {"lenet": (lenet, (1, 32, 32)), "resnet20gray": (lambda: resnet20(1), (1, 28, 28)), "resnet20": (lambda: resnet20(3), (3, 32, 32))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for name in args.names:
        model = SMALL[name][0]() if name in SMALL else torchvision_figures.model(name)
        model.train()
        shape = (args.batch,) + (SMALL[name][1] if name in SMALL else (3, 224, 224))
        classes = 10 if name in SMALL else 1000
        x = torch.randn(*shape)
        y = torch.randint(0, classes, (args.batch,))
        sgd = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

        def step():
            sgd.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            sgd.step()

        timed = measure(step, args.seconds, min_warmups=3)
        print(json.dumps({"model": name, "mode": "train", "batch": args.batch, "threads": args.threads, **timed,
                          "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
