#!/usr/bin/python3
"""Parameters and MACs of torchvision's models, by the convention Fovea uses.

MACs count convolutions (including transposed ones) and linear layers for one 224x224 sample (or each
model's own input): out_elements * in_channels/groups * kernel_h * kernel_w, and in * out for linear.
Run with Debian's interpreter, which sees Debian's python3-torchvision:

    /usr/bin/python3 it-tests/scripts/torchvision_figures.py [name ...]
"""
import sys

import torch
import torchvision.models as models


def count(model, size=224):
    macs = 0

    def conv_hook(module, inputs, output):
        nonlocal macs
        k = module.kernel_size[0] * module.kernel_size[1]
        macs += output.numel() * (module.in_channels // module.groups) * k

    def linear_hook(module, inputs, output):
        nonlocal macs
        macs += output.numel() // module.out_features * module.in_features * module.out_features

    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, torch.nn.Linear):
            m.register_forward_hook(linear_hook)
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    params = sum(p.numel() for p in model.parameters())
    return params, macs


def resnet50_v1():
    """ResNet-50 as He et al. 2015 build it: the stride on the first 1x1 convolution of a bottleneck."""
    from torchvision.models.resnet import Bottleneck, ResNet

    class BottleneckV1(Bottleneck):
        def __init__(self, inplanes, planes, stride=1, downsample=None, *args, **kwargs):
            super().__init__(inplanes, planes, 1, downsample, *args, **kwargs)
            self.conv1.stride = (stride, stride)

    return ResNet(BottleneckV1, [3, 4, 6, 3])


def se_resnet50():
    """SE-ResNet-50 (Hu et al. 2018): squeeze-and-excitation with reduction 16 after each bottleneck's conv3."""
    from torch import nn
    from torchvision.models.resnet import Bottleneck, ResNet

    class SeBottleneck(Bottleneck):
        def __init__(self, inplanes, planes, *args, **kwargs):
            super().__init__(inplanes, planes, *args, **kwargs)
            channels = planes * 4
            self.se = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(channels, channels // 16, 1), nn.ReLU(),
                                    nn.Conv2d(channels // 16, channels, 1), nn.Sigmoid())

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.relu(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
            return self.relu(out * self.se(out) + identity)

    return ResNet(SeBottleneck, [3, 4, 6, 3])


BUILDERS = {"resnet50_v1": resnet50_v1, "se_resnet50": se_resnet50}

NAMES = ["alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
         "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2",
         "googlenet", "densenet121", "densenet169", "densenet201", "mobilenet_v2", "convnext_tiny",
         "squeezenet1_0", "squeezenet1_1", "regnet_x_400mf", "regnet_y_400mf", "resnet50_v1", "se_resnet50"]

if __name__ == "__main__":
    for name in sys.argv[1:] or NAMES:
        kwargs = {"aux_logits": False, "init_weights": False} if name == "googlenet" else {}
        model = BUILDERS[name]() if name in BUILDERS else getattr(models, name)(**kwargs)
        params, macs = count(model)
        print(f"{name:20s} params {params:>12,d}  macs {macs:>15,d}")
