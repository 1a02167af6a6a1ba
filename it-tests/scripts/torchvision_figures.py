#!/usr/bin/python3
"""Parameters and MACs of torchvision's models, by the convention Fovea uses.

MACs count convolutions (including transposed ones) and linear layers for one 224x224 sample (or each
model's own input): out_elements * in_channels/groups * kernel_h * kernel_w, and in * out for linear.
Run with Debian's interpreter, which sees Debian's python3-torchvision:

    /usr/bin/python3 it-tests/scripts/torchvision_figures.py [name ...]
    /usr/bin/python3 it-tests/scripts/torchvision_figures.py --state-dicts it-tests/src/test/resources/torchvision

The second form rewrites the fixtures of torchvision's state-dict names and shapes (batch norm's
num_batches_tracked counter left out) that ZooWeightNamesTest holds the zoo to.
"""
import sys

import torch
import torchvision.models as models


def count(model, size=224, channels=3):
    macs = 0

    def conv_hook(module, inputs, output):
        nonlocal macs
        k = module.kernel_size[0] * module.kernel_size[1]
        macs += output.numel() * (module.in_channels // module.groups) * k

    def linear_hook(module, inputs, output):
        nonlocal macs
        macs += output.numel() // module.out_features * module.in_features * module.out_features

    def rbf_hook(module, inputs, output):
        nonlocal macs  # one multiply-accumulate per prototype coordinate: (x - w)^2
        macs += output.numel() // module.weight.shape[0] * module.weight.numel()

    for m in model.modules():
        if type(m).__name__ == "Rbf":
            m.register_forward_hook(rbf_hook)
        elif isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, torch.nn.Linear):
            m.register_forward_hook(linear_hook)
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, channels, size, size))
    params = sum(p.numel() for p in model.parameters())
    return params, macs


def resnet_v1(layers):
    """ResNet as He et al. 2015 build it: the stride on the first 1x1 convolution of a bottleneck."""
    from torchvision.models.resnet import Bottleneck, ResNet

    class BottleneckV1(Bottleneck):
        def __init__(self, inplanes, planes, stride=1, downsample=None, *args, **kwargs):
            super().__init__(inplanes, planes, 1, downsample, *args, **kwargs)
            self.conv1.stride = (stride, stride)

    return ResNet(BottleneckV1, layers)


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


def mobilenet_v1(alpha=1.0):
    """MobileNet v1 (Howard et al. 2017): the body of the paper's table 1, channels int(c * alpha)."""
    from torch import nn

    def conv_bn(cin, cout, stride):
        return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    def separable(cin, cout, stride):
        return [nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU(),
                nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    pairs = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    c = int(32 * alpha)
    layers = conv_bn(3, c, 2)
    for out, stride in pairs:
        layers += separable(c, int(out * alpha), stride)
        c = int(out * alpha)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 1000))


def lenet5():
    """LeNet-5 (LeCun et al. 1998): C3 as 16 small convolutions over the inputs of its connection table."""
    from torch import nn
    table = ["X...XXX..XXXX.XX", "XX...XXX..XXXX.X", "XXX...XXX..X.XXX",
             ".XXX..XXXX..X.XX", "..XXX..XXXX.XX.X", "...XXX..XXXX.XXX"]

    class C3(nn.Module):
        def __init__(self):
            super().__init__()
            self.inputs = [[r for r in range(6) if table[r][c] == "X"] for c in range(16)]
            self.maps = nn.ModuleList(nn.Conv2d(len(i), 1, 5) for i in self.inputs)

        def forward(self, x):
            return torch.cat([m(x[:, i]) for m, i in zip(self.maps, self.inputs)], 1)

    class Subsample(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(channels))
            self.bias = nn.Parameter(torch.zeros(channels))

        def forward(self, x):
            s = nn.functional.avg_pool2d(x, 2) * 4
            return s * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)

    class Rbf(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.zeros(10, 84))

        def forward(self, x):
            return ((x.unsqueeze(1) - self.weight) ** 2).sum(-1)

    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.Tanh(), Subsample(6), nn.Tanh(), C3(), nn.Tanh(), Subsample(16), nn.Tanh(),
                         nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(), nn.Linear(120, 84), nn.Tanh(), Rbf())


def nin():
    """Network in Network (Lin et al. 2013) for 224x224 ImageNet, as Dive into Deep Learning builds it."""
    from torch import nn

    def block(cin, cout, k, s, p):
        return [nn.Conv2d(cin, cout, k, s, p), nn.ReLU(), nn.Conv2d(cout, cout, 1), nn.ReLU(), nn.Conv2d(cout, cout, 1), nn.ReLU()]

    return nn.Sequential(*block(3, 96, 11, 4, 0), nn.MaxPool2d(3, 2), *block(96, 256, 5, 1, 2), nn.MaxPool2d(3, 2),
                         *block(256, 384, 3, 1, 1), nn.MaxPool2d(3, 2), nn.Dropout(0.5), *block(384, 1000, 3, 1, 1),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten())


def googlenet_paper():
    """GoogLeNet as Szegedy et al. 2014 describe it: biases, local response norm, 5x5 branches, no batch norm."""
    from torch import nn

    def conv(cin, cout, k, s=1, p=0):
        return nn.Sequential(nn.Conv2d(cin, cout, k, s, p), nn.ReLU())

    class Inception(nn.Module):
        def __init__(self, cin, c1, c3r, c3, c5r, c5, pp):
            super().__init__()
            self.b1 = conv(cin, c1, 1)
            self.b2 = nn.Sequential(conv(cin, c3r, 1), conv(c3r, c3, 3, p=1))
            self.b3 = nn.Sequential(conv(cin, c5r, 1), conv(c5r, c5, 5, p=2))
            self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), conv(cin, pp, 1))

        def forward(self, x):
            return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)

    pool = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)
    return nn.Sequential(conv(3, 64, 7, 2, 3), pool(), nn.LocalResponseNorm(5), conv(64, 64, 1), conv(64, 192, 3, p=1),
                         nn.LocalResponseNorm(5), pool(), Inception(192, 64, 96, 128, 16, 32, 32),
                         Inception(256, 128, 128, 192, 32, 96, 64), pool(), Inception(480, 192, 96, 208, 16, 48, 64),
                         Inception(512, 160, 112, 224, 24, 64, 64), Inception(512, 128, 128, 256, 24, 64, 64),
                         Inception(512, 112, 144, 288, 32, 64, 64), Inception(528, 256, 160, 320, 32, 128, 128), pool(),
                         Inception(832, 256, 160, 320, 32, 128, 128), Inception(832, 384, 192, 384, 48, 128, 128),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.4), nn.Linear(1024, 1000))


BUILDERS = {"resnet50_v1": lambda: resnet_v1([3, 4, 6, 3]), "resnet101_v1": lambda: resnet_v1([3, 4, 23, 3]),
            "resnet152_v1": lambda: resnet_v1([3, 8, 36, 3]), "se_resnet50": se_resnet50, "googlenet_paper": googlenet_paper, "nin": nin,
            "mobilenet_v1": mobilenet_v1, "mobilenet_v1_075": lambda: mobilenet_v1(0.75),
            "mobilenet_v1_050": lambda: mobilenet_v1(0.5), "mobilenet_v1_025": lambda: mobilenet_v1(0.25)}
SIZES = {"mobilenet_v1_192": ("mobilenet_v1", 192), "mobilenet_v1_160": ("mobilenet_v1", 160),
         "mobilenet_v1_128": ("mobilenet_v1", 128), "lenet5": ("lenet5", 32), "inception_v3": ("inception_v3", 299)}
for _alpha in ("075", "050", "025"):
    for _size in (192, 160, 128):
        SIZES[f"mobilenet_v1_{_alpha}_{_size}"] = (f"mobilenet_v1_{_alpha}", _size)
GRAY = {"lenet5"}
BUILDERS["lenet5"] = lenet5

NAMES = ["alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
         "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2",
         "googlenet", "densenet121", "densenet169", "densenet201", "mobilenet_v2", "convnext_tiny",
         "squeezenet1_0", "squeezenet1_1", "regnet_x_400mf", "regnet_y_400mf", "resnet50_v1", "resnet101_v1", "resnet152_v1", "se_resnet50",
         "googlenet_paper", "nin", "mobilenet_v1", "mobilenet_v1_075", "mobilenet_v1_050", "mobilenet_v1_025",
         "mobilenet_v1_192", "mobilenet_v1_160", "mobilenet_v1_128", "lenet5", "inception_v3", "efficientnet_b0", "shufflenet_v2_x1_0"] + sorted(
             k for k in SIZES if k.count("_") == 3)

def model(name):
    """A model by name: one of the builders above, or torchvision's (GoogLeNet and Inception v3 without their auxiliary heads)."""
    builder, _ = SIZES.get(name, (name, 224))
    if builder in BUILDERS:
        return BUILDERS[builder]()
    kwargs = {"aux_logits": False, "init_weights": False} if builder in ("googlenet", "inception_v3") else {}
    return getattr(models, builder)(**kwargs)


def write_state_dicts(directory):
    """One file per torchvision model: each state-dict entry's name and shape, for the name-parity test."""
    import os
    for name in NAMES:
        if not hasattr(models, name):
            continue
        with open(os.path.join(directory, name + ".txt"), "w") as out:
            for key, value in model(name).state_dict().items():
                if not key.endswith("num_batches_tracked"):
                    out.write(key + " " + "x".join(str(d) for d in value.shape) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--state-dicts"]:
        write_state_dicts(sys.argv[2])
        sys.exit(0)
    for name in sys.argv[1:] or NAMES:
        _, size = SIZES.get(name, (name, 224))
        params, macs = count(model(name), size, 1 if name in GRAY else 3)
        print(f"{name:20s} params {params:>12,d}  macs {macs:>15,d}")
