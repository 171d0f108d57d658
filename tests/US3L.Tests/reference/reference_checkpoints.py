"""Checkpoints as the official US3L code (megvii-research/US3L-CVPR2023) writes them, for ReferenceImportTests.cs.

The official code cannot be imported here, so its model code is transcribed minimally: the
slimmable layers of models/OFA/slimmable_ops.py (USConv2d, USLinear, USBatchNorm2d without running
statistics, make_divisible), the CIFAR US-ResNet of models/OFA/us_cifar_resnet.py, the
US-MobileNetV2 of models/OFA/us_mobilenet_v2.py (blocks as one flat `body`), and the BYOL wrapper
of utils/ssl_algorithms/byol.py (encoder_q whose fc is replaced by the projector MLP, encoder_k a
deep copy, a predictor, predictor_new the same module as predictor). The checkpoint is saved as
workers/ssl.py saves it, {"epoch", "arch", "state_dict", "optimizer"}, through a DDP-style wrapper
so every key starts with "module.".

usage: reference_checkpoints.py write DIR
  DIR/<name>.zip.pth.tar and DIR/<name>.legacy.pth.tar for name in resnet (us_cifar_resnet18 with
  stage widths 16-128) and mobilenet (us_cifar_mobilenetv2, fed 16x16 images to stay fast);
  DIR/mini.zip.pth.tar (us_resnet10_mini's shape: blocks 1-1-1-1, widths 32-256, one input
  channel); DIR/mini_partial.pth (its encoder as a plain state dict, less layer4.0.bn2.bias, plus a
  tensor 'extra.weight'); DIR/torchvision.pth (a plain torchvision resnet18 state dict).
  DIR/<name>.expected.pt holds each model's input and the outputs to match, computed in float64
  from the saved float32 weights: backbone features in eval mode at widths 1.0 and 0.5
  ("features_1.0", ...) and, for the BYOL models, the projector outputs in train mode (batch
  statistics) ("projector_1.0", ...) and the teacher's features at width 1.0 ("teacher_features_1.0").
"""
import copy
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_divisible(v, divisor=8, min_value=1):
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class USConv2d(nn.Conv2d):
    def __init__(self, cin, cout, k, stride=1, padding=0, depthwise=False, us=(True, True), ratio=(1, 1)):
        super().__init__(cin, cout, k, stride=stride, padding=padding, groups=cin if depthwise else 1, bias=False)
        self.cin_max, self.cout_max, self.depthwise, self.us, self.ratio = cin, cout, depthwise, us, ratio
        self.width_mult = 1.0

    def forward(self, x):
        cin = make_divisible(self.cin_max * self.width_mult / self.ratio[0]) * self.ratio[0] if self.us[0] else self.cin_max
        cout = make_divisible(self.cout_max * self.width_mult / self.ratio[1]) * self.ratio[1] if self.us[1] else self.cout_max
        groups = cin if self.depthwise else 1
        return F.conv2d(x, self.weight[:cout, :cin], None, self.stride, self.padding, 1, groups)


class USLinear(nn.Linear):
    def __init__(self, fin, fout, us=(True, False)):
        super().__init__(fin, fout)
        self.fin_max, self.us = fin, us
        self.width_mult = 1.0

    def forward(self, x):
        fin = make_divisible(self.fin_max * self.width_mult) if self.us[0] else self.fin_max
        return F.linear(x, self.weight[:, :fin], self.bias)


class USBatchNorm2d(nn.BatchNorm2d):
    """Shared gamma/beta sliced to the first C(w) channels; no running statistics (bn_track_stats=False)."""

    def __init__(self, c, ratio=1):
        super().__init__(c, affine=True, track_running_stats=False)
        self.c_max, self.ratio = c, ratio
        self.width_mult = 1.0

    def forward(self, x):
        c = make_divisible(self.c_max * self.width_mult / self.ratio) * self.ratio
        return F.batch_norm(x, None, None, self.weight[:c], self.bias[:c], True, 0.0, self.eps)


class BasicBlock(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1 = USConv2d(cin, planes, 3, stride, 1)
        self.bn1 = USBatchNorm2d(planes)
        self.conv2 = USConv2d(planes, planes, 3, 1, 1)
        self.bn2 = USBatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or cin != planes:
            self.downsample = nn.Sequential(USConv2d(cin, planes, 1, stride), USBatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class CifarResNet(nn.Module):
    def __init__(self, blocks, widths, in_channels, num_classes):
        super().__init__()
        self.conv1 = USConv2d(in_channels, widths[0], 3, 1, 1, us=(False, True))
        self.bn1 = USBatchNorm2d(widths[0])
        cin = widths[0]
        for i, (n, w) in enumerate(zip(blocks, widths)):
            layers = []
            for b in range(n):
                layers.append(BasicBlock(cin, w, 2 if b == 0 and i > 0 else 1))
                cin = w
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
        self.fc = USLinear(cin, num_classes, us=(True, False))

    def features(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        for i in range(4):
            out = getattr(self, f"layer{i + 1}")(out)
        return F.avg_pool2d(out, 4).flatten(1)

    def forward(self, x):
        return self.fc(self.features(x))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        self.residual = stride == 1 and cin == cout
        hidden = cin * t
        layers = []
        if t != 1:
            layers += [USConv2d(cin, hidden, 1, ratio=(1, t)), USBatchNorm2d(hidden, ratio=t), nn.ReLU6()]
        layers += [USConv2d(hidden, hidden, 3, stride, 1, depthwise=True, ratio=(t, t)), USBatchNorm2d(hidden, ratio=t), nn.ReLU6(),
                   USConv2d(hidden, cout, 1, ratio=(t, 1)), USBatchNorm2d(cout)]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x) + x if self.residual else self.body(x)


class CifarMobileNetV2(nn.Module):
    SETTING = [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, num_classes):
        super().__init__()
        features = [nn.Sequential(USConv2d(3, 32, 3, 1, 1, us=(False, True)), USBatchNorm2d(32), nn.ReLU6())]
        cin = 32
        for t, c, n, s in self.SETTING:
            for i in range(n):
                features.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        features.append(nn.Sequential(USConv2d(cin, 1280, 1, us=(True, False)), nn.BatchNorm2d(1280), nn.ReLU6()))
        self.features = nn.Sequential(*features)
        self.fc = nn.Linear(1280, num_classes)

    def features_of(self, x):
        return F.adaptive_avg_pool2d(self.features(x), 1).flatten(1)

    def forward(self, x):
        return self.fc(self.features_of(x))


def features(encoder, x):
    return encoder.features(x) if isinstance(encoder, CifarResNet) else encoder.features_of(x)


class BYOL(nn.Module):
    def __init__(self, encoder, hidden, dim):
        super().__init__()
        self.encoder_q = encoder
        self.encoder_q.fc = nn.Sequential(encoder.fc, nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, hidden, bias=False),
                                          nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, dim))
        self.encoder_k = copy.deepcopy(self.encoder_q)
        self.predictor = nn.Sequential(nn.Linear(dim, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, dim))
        self.predictor_new = self.predictor


class DDP(nn.Module):
    """Stands in for DistributedDataParallel: its state dict keys start with 'module.'."""

    def __init__(self, module):
        super().__init__()
        self.module = module


def set_width(module, w):
    module.apply(lambda m: setattr(m, "width_mult", w))


def randomize(model, g):
    """Convs drawn as the official MobileNetV2 initialises them (N(0, 2 / (k*k*C_out))), BN affine parameters away from 1 and 0."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / n) ** 0.5)
            elif isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)) and m.affine:
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.2)
            elif isinstance(m, nn.Linear):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) / m.in_features ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)


def calibrate(model, batches):
    """Running statistics (where a BN keeps them) as the cumulative average of a few training batches."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = None
        model.train()
        for x in batches:
            model(x)


def write_byol(folder, name, arch, encoder, side, channels, legacy=True, hidden=64, dim=32):
    g = torch.Generator().manual_seed(11)
    wrapper = BYOL(encoder, hidden, dim)
    randomize(wrapper, g)
    calibrate(wrapper.encoder_q, [torch.randn(8, channels, side, side, generator=g) for _ in range(2)])
    ddp = DDP(wrapper)
    x = torch.randn(4, channels, side, side, generator=g)
    # One SGD step, so the checkpoint carries an optimizer state as the official one does.
    optimizer = torch.optim.SGD(ddp.parameters(), lr=1e-4, momentum=0.9)
    ddp.train()
    set_width(wrapper, 1.0)
    wrapper.predictor(wrapper.encoder_q(x)).square().mean().backward()
    optimizer.step()
    state = {"epoch": 7, "arch": arch, "state_dict": ddp.state_dict(), "optimizer": optimizer.state_dict()}
    torch.save(state, os.path.join(folder, f"{name}.zip.pth.tar"))
    if legacy:
        torch.save(state, os.path.join(folder, f"{name}.legacy.pth.tar"), _use_new_zipfile_serialization=False)

    saved = wrapper
    # The outputs in float64 (weights as saved, widened): what is compared is the mapping, not float32 rounding.
    wrapper = copy.deepcopy(wrapper).double()
    x = x.double()
    expected = {"input": x}
    encoder_q = wrapper.encoder_q
    with torch.no_grad():
        wrapper.eval()
        for w in (1.0, 0.5):
            set_width(wrapper, w)
            expected[f"features_{w}"] = features(encoder_q, x)
        set_width(wrapper, 1.0)
        expected["teacher_features_1.0"] = features(wrapper.encoder_k, x)
        # Train mode last: it updates the running statistics the eval-mode features read.
        wrapper.train()
        for w in (1.0, 0.5):
            set_width(wrapper, w)
            expected[f"projector_{w}"] = encoder_q(x)
    torch.save(expected, os.path.join(folder, f"{name}.expected.pt"))
    return saved


def write_torchvision(folder):
    """A torchvision resnet18 with drawn weights and running statistics from a few batches."""
    import torchvision

    g = torch.Generator().manual_seed(12)
    model = torchvision.models.resnet18()
    randomize(model, g)
    calibrate(model, [torch.randn(8, 3, 64, 64, generator=g) for _ in range(3)])
    torch.save(model.state_dict(), os.path.join(folder, "torchvision.pth"))
    model = model.double().eval()
    x = torch.randn(2, 3, 64, 64, generator=g, dtype=torch.float64)
    model.fc = nn.Identity()
    with torch.no_grad():
        torch.save({"input": x, "features_1.0": model(x)}, os.path.join(folder, "torchvision.expected.pt"))


def write_partial(folder, wrapper):
    """The mini encoder as a plain state dict with one BN bias left out and one tensor the kit does not know."""
    prefix = "encoder_q."
    sd = {k[len(prefix):]: v for k, v in wrapper.state_dict().items() if k.startswith(prefix) and not k.startswith(prefix + "fc.")}
    del sd["layer4.0.bn2.bias"]
    sd["extra.weight"] = torch.zeros(3)
    torch.save(sd, os.path.join(folder, "mini_partial.pth"))


def main():
    if len(sys.argv) != 3 or sys.argv[1] != "write":
        raise SystemExit(__doc__)
    folder = sys.argv[2]
    torch.set_num_threads(1)
    write_byol(folder, "resnet", "us_cifar_resnet18", CifarResNet([2, 2, 2, 2], [16, 32, 64, 128], 3, 64), 32, 3)
    write_byol(folder, "mobilenet", "us_cifar_mobilenetv2", CifarMobileNetV2(64), 16, 3)
    mini = write_byol(folder, "mini", "us_resnet10_mini", CifarResNet([1, 1, 1, 1], [32, 64, 128, 256], 1, 64), 28, 1, legacy=False)
    write_partial(folder, mini)
    write_torchvision(folder)


if __name__ == "__main__":
    main()
