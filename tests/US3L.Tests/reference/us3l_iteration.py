"""A few US3L training iterations as the reference code runs them, for IterationParityTests.cs.

usage: us3l_iteration.py CASE.safetensors OUT.safetensors [CASE2 OUT2 ...]

The reference is github.com/megvii-research/US3L-CVPR2023 (cited below as "file Lx-y"). Its pieces
are transcribed, not imported: the repository needs CUDA, DDP and yacs. Each piece keeps the
reference's arithmetic; what is left out is named where it is left out (AMP, DDP, the width
sampler, logging).

CASE holds the online weights under the kit's names (backbone.*, projector.*, predictor.*,
predictor_new.*, and the feature-distillation adapters proj_conv.*), the two views "x1" and "x2", and in its metadata "config", a JSON object with
the yaml settings the reference reads (see the keys used below), "dtype" ("float32" or "float64",
the default dtype of the run) and "iterations", a list of {"epoch", "widths"}. OUT holds, after
iteration k (0-based): "k/loss" and "k/reg", one value per width step (the loss that
workers/ssl.py L261 logs, and the regularizer value of L264); every online and teacher parameter
under the kit's names, "k/online/NAME" and "k/teacher/NAME"; and "k/absent_max_abs", the largest
|value| of the reference parameters the kit lacks (config "zero_absent").
"""
import copy
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.cuda.amp import GradScaler


# ---- safetensors, the format only (as tests/US3L.Torch.Tests/reference/safetensors_io.py) ----

def load(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        assert e["dtype"] in ("F32", "F64"), f"{name}: expected F32 or F64, got {e['dtype']}"
        begin, end = e["data_offsets"]
        raw = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=np.float32 if e["dtype"] == "F32" else np.float64).copy()
        tensors[name] = torch.from_numpy(raw).reshape(e["shape"])
    return tensors, meta


def save(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        code = "F64" if t.dtype == torch.float64 else "F32"
        blob = t.detach().to(torch.float64 if code == "F64" else torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


# ---- models/OFA/slimmable_ops.py ----

# The US layers call make_divisible with its default divisor 8. The kit's fast mini model rounds to
# multiples of 4 (science.md 8.1, a documented deviation); the case's "divisor" sets this.
DIVISOR = 8


def make_divisible(v, divisor=8, min_value=1):
    # slimmable_ops.py L108-121.
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class USConv2d(nn.Conv2d):
    # slimmable_ops.py L124-161, with ratio [1, 1] and no depthwise (the ResNet uses neither).
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, us=(True, True)):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=bias)
        self.in_channels_max, self.out_channels_max = in_channels, out_channels
        self.width_mult, self.us = None, us

    def forward(self, input):
        if self.us[0]:
            self.in_channels = make_divisible(self.in_channels_max * self.width_mult, DIVISOR)
        if self.us[1]:
            self.out_channels = make_divisible(self.out_channels_max * self.width_mult, DIVISOR)
        weight = self.weight[:self.out_channels, :self.in_channels, :, :]
        bias = self.bias[:self.out_channels] if self.bias is not None else None
        return F.conv2d(input, weight, bias, self.stride, self.padding, self.dilation, 1)


class USLinear(nn.Linear):
    # slimmable_ops.py L164-186.
    def __init__(self, in_features, out_features, bias=True, us=(True, True)):
        super().__init__(in_features, out_features, bias=bias)
        self.in_features_max, self.out_features_max = in_features, out_features
        self.width_mult, self.us = None, us

    def forward(self, input):
        if self.us[0]:
            self.in_features = make_divisible(self.in_features_max * self.width_mult, DIVISOR)
        if self.us[1]:
            self.out_features = make_divisible(self.out_features_max * self.width_mult, DIVISOR)
        weight = self.weight[:self.out_features, :self.in_features]
        bias = self.bias[:self.out_features] if self.bias is not None else None
        return F.linear(input, weight, bias)


class USBatchNorm2d(nn.BatchNorm2d):
    # slimmable_ops.py L189-223 (ratio 1): shared affine sliced to the first c channels.
    def __init__(self, num_features, track_running_stats=False):
        super().__init__(num_features, affine=True, track_running_stats=track_running_stats)
        self.num_features_max, self.width_mult = num_features, None

    def forward(self, input):
        c = make_divisible(self.num_features_max * self.width_mult, DIVISOR)
        return F.batch_norm(input,
                            self.running_mean[:c] if self.track_running_stats else self.running_mean,
                            self.running_var[:c] if self.track_running_stats else self.running_var,
                            self.weight[:c], self.bias[:c], self.training, self.momentum, self.eps)


# ---- models/OFA/us_cifar_resnet.py ----

class BasicBlock(nn.Module):
    # CIFAR_BasicBlock, us_cifar_resnet.py L17-50.
    expansion = 1

    def __init__(self, in_planes, planes, stride=1, bn_track_stats=False):
        super().__init__()
        self.conv1 = USConv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = USBatchNorm2d(planes, track_running_stats=bn_track_stats)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = USConv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = USBatchNorm2d(planes, track_running_stats=bn_track_stats)
        self.downsample = None
        if stride != 1 or in_planes != self.expansion * planes:
            self.downsample = nn.Sequential(
                USConv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                USBatchNorm2d(self.expansion * planes, track_running_stats=bn_track_stats))

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    # us_cifar_resnet.py L93-131. The reference hard-codes 3 input planes and stage widths 64..512
    # (L96-109); the kit's us_resnet10_mini (science.md 8.1) is this ResNet with BasicBlocks
    # [1, 1, 1, 1] and the input planes and stage widths passed in.
    def __init__(self, num_blocks, num_classes, in_channels, widths, bn_track_stats=False):
        super().__init__()
        self.in_planes = widths[0]
        self.bn_track_stats = bn_track_stats
        self.conv1 = USConv2d(in_channels, widths[0], kernel_size=3, stride=1, padding=1, bias=False, us=[False, True])
        self.bn1 = USBatchNorm2d(widths[0], track_running_stats=bn_track_stats)
        self.relu1 = nn.ReLU(inplace=True)
        for s in range(4):
            setattr(self, f"layer{s + 1}", self._make_layer(widths[s], num_blocks[s], 1 if s == 0 else 2))
        self.fc = USLinear(widths[3] * BasicBlock.expansion, num_classes, us=[True, False])

    def _make_layer(self, planes, num_blocks, stride):
        layers = []
        for stride in [stride] + [1] * (num_blocks - 1):
            layers.append(BasicBlock(self.in_planes, planes, stride, self.bn_track_stats))
            self.in_planes = planes * BasicBlock.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
        out = F.avg_pool2d(out, 4)
        out = out.view(out.size(0), -1)
        return self.fc(out)


# ---- utils/forward_hook.py ----

class ForwardHookManager:
    # ForwardHookManager, forward_hook.py L114-152, on one device: add_hook registers
    # forward_hook4output (L78-86), which keeps the very tensor the module returned, so in-place
    # operations that follow the module (a block's residual sum and ReLU) show in it; pop_io_dict
    # hands over {path: {"output": tensor}} and empties the record.
    def __init__(self):
        self.io_dict = {}

    def add_hook(self, module, module_path):
        sub_module = module.get_submodule(module_path)  # get_module, L15-40, for plain paths
        self.io_dict[module_path] = {}

        def forward_hook4output(m, func_input, func_output):
            self.io_dict[module_path]["output"] = func_output

        sub_module.register_forward_hook(forward_hook4output)

    def pop_io_dict(self):
        gathered = {}
        for module_path, module_io_dict in self.io_dict.items():
            gathered[module_path] = {}
            for io_type in list(module_io_dict.keys()):
                gathered[module_path][io_type] = module_io_dict.pop(io_type)
        return gathered


# ---- utils/ssl_algorithms (built by utils/builder.py: eval(config.SSL.TYPE)(base_model, config)) ----

class FeatureDistillParts:
    # The DISTILL_FEATURE parts shared by byol.py (L68-86, L119-162) and simclr.py (L108-123,
    # L137-182): hooks on encoder_q and encoder_k at DISTILL_FEATURE_NAME, and one bias-free 1x1
    # USConv2d per layer from its (slimmed) channels to its full channels, us=[True, False].
    def add_feature_distillation(self, c):
        self.forward_hook_manager_q = ForwardHookManager()
        self.forward_hook_manager_k = ForwardHookManager()
        self.feat_name_list = c["distill_feature_name"]
        self.proj_conv = nn.ModuleDict()
        for feat_name, feat_dim in zip(self.feat_name_list, c["distill_feature_dim"]):
            self.forward_hook_manager_q.add_hook(self.encoder_q, feat_name)
            self.forward_hook_manager_k.add_hook(self.encoder_k, feat_name)
            self.proj_conv[feat_name.replace('.', '_')] = USConv2d(feat_dim, feat_dim, kernel_size=1, stride=1, padding=0,
                                                                   bias=False, us=[True, False])

    def project_student_features(self, int_feat_q1, int_feat_q2):
        # byol.py L154-160 (proj_conv=True): the student's maps through the adapters.
        for feat_name in self.feat_name_list:
            int_feat_q1[feat_name]['output'] = self.proj_conv[feat_name.replace('.', '_')](int_feat_q1[feat_name]['output'])
            int_feat_q2[feat_name]['output'] = self.proj_conv[feat_name.replace('.', '_')](int_feat_q2[feat_name]['output'])


def two_layer_head(dim, hidden_dim):
    # The predictor of byol.py L54-57 (and of simclr.py L99-102, simsiam.py L112-115).
    return nn.Sequential(nn.Linear(dim, hidden_dim, bias=False), nn.BatchNorm1d(hidden_dim), nn.ReLU(inplace=True),
                         nn.Linear(hidden_dim, dim))


class BYOL(nn.Module, FeatureDistillParts):
    # byol.py L8-164.
    def __init__(self, base_encoder, c):
        super().__init__()
        dim, hidden_dim, self.m = c["dim"], c["hidden_dim"], c["ema_momentum"]
        bn_track_stats = c["num_sample_training"] == 1  # L28-33
        self.encoder_q = base_encoder(num_classes=hidden_dim, bn_track_stats=bn_track_stats)
        fc_dim = hidden_dim
        self.encoder_q.fc = nn.Sequential(self.encoder_q.fc, nn.BatchNorm1d(fc_dim), nn.ReLU(inplace=True),
                                          nn.Linear(fc_dim, fc_dim, bias=False), nn.BatchNorm1d(fc_dim),
                                          nn.ReLU(inplace=True), nn.Linear(fc_dim, dim))  # L41-47
        self.encoder_k = copy.deepcopy(self.encoder_q)  # L49
        self.encoder_k.apply(lambda m: setattr(m, 'width_mult', 1.0))
        self.predictor = two_layer_head(dim, hidden_dim)
        self.predictor_new = two_layer_head(dim, hidden_dim) if c["new_distill_head"] else self.predictor  # L60-66
        if c["distill_feature"]:  # L68-86
            self.add_feature_distillation(c)

    @torch.no_grad()
    def _momentum_update_key_encoder(self):
        # L99-105
        for param_q, param_k in zip(self.encoder_q.parameters(), self.encoder_k.parameters()):
            param_k.data = param_k.data * self.m + param_q.data * (1. - self.m)

    def forward(self, x1, x2, ret_q_feature=False, ret_k_feature=False, proj_conv=False, momentum_update=True):
        # L110-164: the max-width call (momentum_update) runs the predictor, updates the EMA and
        # runs the teacher; a sub-network call runs predictor_new and returns its own detached output.
        # With feature distillation, the hooked maps of the online (q) or teacher (k) forwards too.
        int_feat_q1, int_feat_q2, int_feat_k1, int_feat_k2 = None, None, None, None
        online_proj_one = self.encoder_q(x1)
        if ret_q_feature:
            int_feat_q1 = self.forward_hook_manager_q.pop_io_dict()
        online_proj_two = self.encoder_q(x2)
        if ret_q_feature:
            int_feat_q2 = self.forward_hook_manager_q.pop_io_dict()
        if momentum_update:
            online_pred_one = self.predictor(online_proj_one)
            online_pred_two = self.predictor(online_proj_two)
            with torch.no_grad():
                self._momentum_update_key_encoder()
                target_proj_one = self.encoder_k(x1)
                if ret_k_feature:
                    int_feat_k1 = self.forward_hook_manager_k.pop_io_dict()
                target_proj_two = self.encoder_k(x2)
                if ret_k_feature:
                    int_feat_k2 = self.forward_hook_manager_k.pop_io_dict()
        else:
            online_pred_one = self.predictor_new(online_proj_one)
            online_pred_two = self.predictor_new(online_proj_two)
            target_proj_one = online_pred_one
            target_proj_two = online_pred_two
        if ret_q_feature or ret_k_feature:
            if proj_conv:
                self.project_student_features(int_feat_q1, int_feat_q2)
            return [online_pred_one, online_pred_two], [target_proj_one.detach(), target_proj_two.detach()], \
                [int_feat_q1, int_feat_q2], [int_feat_k1, int_feat_k2]
        return [online_pred_one, online_pred_two], [target_proj_one.detach(), target_proj_two.detach()]


class SimCLR_Momentum(nn.Module, FeatureDistillParts):
    # simclr.py L63-182. The middle Linear of the projector has a
    # bias here (L92), unlike BYOL's; the student head is `predictor` (SSL.SETTING.PREDICTOR).
    def __init__(self, base_encoder, c):
        super().__init__()
        dim, hidden_dim, self.m = c["dim"], c["hidden_dim"], c["ema_momentum"]
        self.encoder_q = base_encoder(num_classes=hidden_dim)
        fc_dim = hidden_dim
        self.encoder_q.fc = nn.Sequential(self.encoder_q.fc, nn.BatchNorm1d(fc_dim), nn.ReLU(inplace=True),
                                          nn.Linear(fc_dim, fc_dim), nn.BatchNorm1d(fc_dim),
                                          nn.ReLU(inplace=True), nn.Linear(fc_dim, dim))  # L88-95
        self.predictor = two_layer_head(dim, hidden_dim) if c["predictor"] else nn.Identity()  # L98-104
        self.encoder_k = copy.deepcopy(self.encoder_q)  # L106
        self.encoder_k.apply(lambda m: setattr(m, 'width_mult', 1.0))
        if c["distill_feature"]:  # L108-123
            self.add_feature_distillation(c)

    @torch.no_grad()
    def _momentum_update_key_encoder(self):
        # L125-131
        for param_q, param_k in zip(self.encoder_q.parameters(), self.encoder_k.parameters()):
            param_k.data = param_k.data * self.m + param_q.data * (1. - self.m)

    def forward(self, x1, x2, ret_q_feature=False, ret_k_feature=False, proj_conv=False, momentum_update=True):
        # L137-182: no predictor on the max-width branch; students go through `predictor`.
        int_feat_q1, int_feat_q2, int_feat_k1, int_feat_k2 = None, None, None, None
        f1 = self.encoder_q(x1)
        if ret_q_feature:
            int_feat_q1 = self.forward_hook_manager_q.pop_io_dict()
        f2 = self.encoder_q(x2)
        if ret_q_feature:
            int_feat_q2 = self.forward_hook_manager_q.pop_io_dict()
        if momentum_update:
            with torch.no_grad():
                self._momentum_update_key_encoder()
                f1_teacher = self.encoder_k(x1)
                if ret_k_feature:
                    int_feat_k1 = self.forward_hook_manager_k.pop_io_dict()
                f2_teacher = self.encoder_k(x2)
                if ret_k_feature:
                    int_feat_k2 = self.forward_hook_manager_k.pop_io_dict()
        else:
            f1_teacher = f1
            f2_teacher = f2
            f1 = self.predictor(f1)
            f2 = self.predictor(f2)
        if ret_q_feature or ret_k_feature:
            if proj_conv:
                self.project_student_features(int_feat_q1, int_feat_q2)
            return [f1, f2], [f1_teacher.detach(), f2_teacher.detach()], [int_feat_q1, int_feat_q2], [int_feat_k1, int_feat_k2]
        return [f1, f2], [f1_teacher.detach(), f2_teacher.detach()]


class SimSiam(nn.Module):
    # simsiam.py L69-133 (the class in use, "compatible to USNets"): no teacher, one predictor for
    # every width, backbone BNs with running statistics (L86), projector ending in an affine-free BN
    # whose preceding bias is frozen (L96-99).
    def __init__(self, base_encoder, c):
        super().__init__()
        dim, hidden_dim = c["dim"], c["hidden_dim"]
        self.encoder_q = base_encoder(num_classes=hidden_dim, bn_track_stats=True)
        fc_dim = hidden_dim
        self.encoder_q.fc = nn.Sequential(self.encoder_q.fc, nn.BatchNorm1d(fc_dim), nn.ReLU(inplace=True),
                                          nn.Linear(fc_dim, fc_dim, bias=False), nn.BatchNorm1d(fc_dim),
                                          nn.ReLU(inplace=True), nn.Linear(fc_dim, dim),
                                          nn.BatchNorm1d(dim, affine=False))
        self.encoder_q.fc[6].bias.requires_grad = False
        self.predictor = two_layer_head(dim, hidden_dim)

    def forward(self, x1, x2, momentum_update=True):
        z1 = self.encoder_q(x1)
        z2 = self.encoder_q(x2)
        p1 = self.predictor(z1)
        p2 = self.predictor(z2)
        return [p1, p2], [z1.detach(), z2.detach()]


# ---- losses/criterions (wrapped by losses/__init__.py LOSS L24-50, whose default regularizer
# "basic" returns 0 with weight 0, so the base loss is the criterion's value) ----

class CosineSimilarity:
    # CosineSimilarity.py L13-50: -cos averaged over the cross-view pairs (same-view pairs skipped).
    def __init__(self, c):
        self.criterion = nn.CosineSimilarity(dim=1)

    def __call__(self, pred, target, epoch=None):
        total_loss = 0
        n_loss_terms = 0
        for iq, q in enumerate(target):
            for v in range(len(pred)):
                if v == iq:
                    continue
                loss = -self.criterion(pred[v], q.detach())
                total_loss += loss.mean()
                n_loss_terms += 1
        total_loss /= n_loss_terms
        return total_loss


def nt_xentv2(f1, f2, t=0.5):
    # InfoNCEv2_distill.py L6-24.
    f1 = F.normalize(f1, dim=1)
    f2 = F.normalize(f2, dim=1)
    x = torch.cat([f1, f2], dim=0)
    batch_size = f1.size(0)
    sim_matrix = torch.exp(torch.mm(x, x.t().contiguous()) / t)
    mask = (torch.ones_like(sim_matrix) - torch.eye(2 * batch_size, device=sim_matrix.device)).bool()
    sim_matrix = sim_matrix.masked_select(mask).view(2 * batch_size, -1)
    pos_sim = torch.exp(torch.sum(f1 * f2, dim=-1) / t)
    pos_sim = torch.cat([pos_sim, pos_sim], dim=0)
    return (- torch.log(pos_sim / sim_matrix.sum(dim=-1))).mean()


class InfoNCEv2_distill:
    # InfoNCEv2_distill.py L26-48: NT-Xent of each student view against the other view's teacher
    # output; the 2B x 2B matrix holds student-student pairs, so students are negatives too.
    def __init__(self, c):
        self.temperature = c["T"]

    def __call__(self, f_student, f_teacher, epoch=-1):
        total_loss = 0
        n_loss_terms = 0
        for s in range(len(f_student)):
            for t in range(len(f_teacher)):
                if s == t:
                    continue
                loss = nt_xentv2(f_student[s], f_teacher[t].detach(), self.temperature)
                total_loss += loss.mean()
                n_loss_terms += 1
        total_loss /= n_loss_terms
        return total_loss


class MSELoss:
    # MSELoss.py L7-45: element-wise MSE (mean) over the cross-view pairs; given dicts of feature
    # maps (feature distillation), one term per pair and layer; the sum divided by the term count.
    def __init__(self, c):
        self.criterion = nn.MSELoss()

    def __call__(self, student_output, teacher_output, epoch=None, width_index=999):
        total_loss = 0
        n_loss_terms = 0
        for iq, q in enumerate(teacher_output):
            for v in range(len(student_output)):
                if v == iq:
                    continue
                if isinstance(q, dict):
                    for feat_name in q.keys():
                        feat_t = q[feat_name]['output']
                        feat_s = student_output[v][feat_name]['output']
                        loss = self.criterion(feat_s, feat_t.detach())
                        total_loss += loss.mean()
                        n_loss_terms += 1
                else:
                    loss = self.criterion(student_output[v], q.detach())
                    total_loss += loss.mean()
                    n_loss_terms += 1
        total_loss /= n_loss_terms
        return total_loss


CRITERIONS = {"CosineSimilarity": CosineSimilarity, "InfoNCEv2_distill": InfoNCEv2_distill, "MSELoss": MSELoss}


# ---- losses/regularizers/GroupReg.py ----

class GroupReg:
    # GroupReg.py L5-68, linear profile.
    def __init__(self, c, model):
        r = c["regularizer"]
        self.model = model
        self.reg_lambda, self.decay_alpha, self.decay_type = r["lambda"], r["alpha"], r["type"]
        self.decay_bins, self.warmup_epochs, self.total_epochs = r["bins"], r["warmup_epochs"], c["epochs"]

    def cal_lambda(self, i, epoch):
        # L18-37
        if epoch < self.warmup_epochs:
            return self.reg_lambda
        decay_alpha = self.decay_alpha
        ramp_epochs = self.total_epochs // 2
        if epoch < ramp_epochs:
            decay_alpha *= (epoch - self.warmup_epochs) / (ramp_epochs - self.warmup_epochs)
        if self.decay_type == 'exp':
            return self.reg_lambda * decay_alpha ** i
        assert self.decay_type == 'linear'
        return self.reg_lambda * (1 - decay_alpha * i)

    def __call__(self, width_mult=1.0, epoch=-1):
        # L39-68: float64 coefficient masks; the teacher is skipped, and at width 1.0 every
        # parameter named "predictor..." too.
        loss = 0.
        for n, p in self.model.named_parameters():
            if 'encoder_k' in n or 'proj_conv' in n:
                continue
            if width_mult == 1.0 and 'predictor' in n:
                continue
            length = len(p.size())
            lambda_mask = torch.ones(p.size(), dtype=torch.float64, device=p.device)
            if length == 1:
                dim = p.size()[0]
                group_dim = dim // self.decay_bins
                for i in range(self.decay_bins):
                    end_dim = dim if i == self.decay_bins - 1 else (i + 1) * group_dim
                    lambda_mask[i * group_dim:end_dim] = self.cal_lambda(i, epoch)
            elif length == 4:
                dim_out = p.size()[0]
                group_dim_out = dim_out // self.decay_bins
                for i in range(self.decay_bins):
                    end_dim = dim_out if i == self.decay_bins - 1 else (i + 1) * group_dim_out
                    lambda_mask[i * group_dim_out:end_dim, :, :, :] = self.cal_lambda(i, epoch)
            else:
                lambda_mask[:] = self.reg_lambda
            loss += (lambda_mask * torch.square(p)).sum()
        return loss


# ---- workers/ssl.py ----

def adjust_learning_rate(optimizer, init_lr, epoch, c):
    # ssl.py L351-354 and L357-: cosine, no warm-up (every US3L config).
    cur_lr = init_lr * 0.5 * (1. + math.cos(math.pi * epoch / c["epochs"]))
    for param_group in optimizer.param_groups:
        param_group['lr'] = cur_lr


def train_iteration(images, widths_train, epoch, model, criterion, distill_criterion, feat_distill_criterion, reg_criterion,
                    optimizer, scaler, c):
    # ssl.py L207-276, one batch. The widths are given (the sampler, L135-172, is not under test);
    # DDP's model.module is the model itself; autocast and the scaler are off (TRAIN.USE_AMP False),
    # so scaler.scale(loss).backward() / scaler.step(optimizer) are loss.backward() / optimizer.step().
    losses, regs = [], []
    max_width = max(widths_train)  # L209
    for j, width_mult in enumerate(widths_train):
        if c["distill_feature"]:  # L217-218
            model.proj_conv.apply(lambda m: setattr(m, 'width_mult', width_mult))
        if c["distill"]:  # L219-222: the teacher stays at width 1.0
            model.encoder_q.apply(lambda m: setattr(m, 'width_mult', width_mult))
        else:
            model.apply(lambda m: setattr(m, 'width_mult', width_mult))
        if width_mult == max_width:  # L227-238
            if c["distill_feature"]:
                output, teacher_target, teacher_feat_q, teacher_feat_k = model(images[0], images[1], ret_q_feature=False,
                                                                               ret_k_feature=True, proj_conv=False)
            else:
                output, teacher_target = model(images[0], images[1])
            loss = criterion(output, teacher_target)
        else:  # L239-259
            if c["distill_feature"]:
                output, target, student_feat_q, _ = model(images[0], images[1], ret_q_feature=True, ret_k_feature=False,
                                                          proj_conv=True, momentum_update=c["momentum_update"])
            else:
                output, target = model(images[0], images[1], momentum_update=c["momentum_update"])
            if c["distill"]:
                loss = c["distill_lambda"] * distill_criterion(output, teacher_target, epoch)
                if c["distill_feature"]:  # L255-257
                    feat_distill_loss = feat_distill_criterion(student_feat_q, teacher_feat_k, epoch)
                    loss += c["distill_feature_lambda"] * feat_distill_loss
            else:
                loss = criterion(output, target)
        losses.append(loss.item())  # L261
        if reg_criterion is not None:  # L263-266
            reg_loss = reg_criterion(width_mult=width_mult, epoch=epoch)
            regs.append(reg_loss.item())
            loss += reg_loss
        # L269-276. zero_grad() of PyTorch 1.10 (the README's version) and 1.13 zeroes the gradients
        # in place (set_to_none=False): a head outside this step's graph keeps a zero gradient, so
        # SGD still moves it by its momentum buffer and weight decay.
        optimizer.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    return losses, regs


# ---- names: reference modules <-> the kit's SslNetwork and EmaTeacher ----

def kit_name(ref_name, ssl_type):
    """The kit's name of a reference parameter: ("online" | "teacher", name)."""
    for ref, kit in (("encoder_q.fc.", "projector."), ("encoder_q.", "backbone.")):
        if ref_name.startswith(ref):
            return "online", kit + ref_name[len(ref):]
    for ref, kit in (("encoder_k.fc.", "projector."), ("encoder_k.", "backbone.")):
        if ref_name.startswith(ref):
            return "teacher", kit + ref_name[len(ref):]
    if ref_name.startswith("predictor."):
        # momentum-SimCLR's `predictor` is only the students' head: the kit's auxiliary head.
        return "online", ("predictor_new." if ssl_type == "SimCLR_Momentum" else "predictor.") + ref_name[len("predictor."):]
    if ref_name.startswith("predictor_new.") or ref_name.startswith("proj_conv."):
        return "online", ref_name
    raise KeyError(f"no kit name for reference parameter {ref_name}")


def run(case_path, out_path):
    case, meta = load(case_path)
    c = json.loads(meta["config"])
    global DIVISOR
    DIVISOR = c["divisor"]
    torch.set_default_dtype({"float32": torch.float32, "float64": torch.float64}[c["dtype"]])
    torch.manual_seed(0)  # the reference draws initial weights; every one is overwritten below
    ssl_type = c["ssl_type"]
    base = lambda num_classes, bn_track_stats=False: ResNet(c["blocks"], num_classes, c["in_channels"], c["stage_widths"],
                                                            bn_track_stats)
    model = {"BYOL": BYOL, "SimCLR_Momentum": SimCLR_Momentum, "SimSiam": SimSiam}[ssl_type](base, c)

    # The kit's weights into the online network; the teacher then starts as the deepcopy would
    # leave it (byol.py L49, simclr.py L106). A reference parameter the kit lacks must be listed in
    # "zero_absent" (see the test): it is set to 0 on both branches.
    online = {k: v for k, v in case.items() if k not in ("x1", "x2")}
    with torch.no_grad():
        for name, p in model.named_parameters():
            side, kit = kit_name(name, ssl_type)
            if side == "teacher":
                continue
            if kit in online:
                assert tuple(online[kit].shape) == tuple(p.shape), f"{name}: {tuple(p.shape)} vs kit {kit} {tuple(online[kit].shape)}"
                p.copy_(online.pop(kit))
            else:
                assert kit in c["zero_absent"], f"reference parameter {name} ({kit}) is not in the case file"
                p.zero_()
        assert not online, f"kit parameters without a reference parameter: {sorted(online)}"
        if hasattr(model, "encoder_k"):
            model.encoder_k.load_state_dict(model.encoder_q.state_dict())

    # ssl.py L96-103: SGD over model.parameters(), weight decay 0 when the regularizer is on.
    weight_decay = 0.0 if c["regularizer"] else c["weight_decay"]
    optimizer = torch.optim.SGD(model.parameters(), c["base_lr"], momentum=c["sgd_momentum"], weight_decay=weight_decay)
    scaler = GradScaler(enabled=False)  # L108
    criterion = CRITERIONS[c["criterion"]](c)  # L100
    distill_criterion = CRITERIONS[c["distill_criterion"]](c)  # L185-186
    feat_distill_criterion = CRITERIONS[c["distill_feature_criterion"]](c) if c["distill_feature"] else None  # L187-189
    reg_criterion = GroupReg(c, model) if c["regularizer"] else None  # L193-195
    model.train()  # L198

    out = {}
    for k, it in enumerate(c["iterations"]):
        adjust_learning_rate(optimizer, c["base_lr"], it["epoch"], c)  # L113
        images = [case["x1"].to(torch.get_default_dtype()), case["x2"].to(torch.get_default_dtype())]
        losses, regs = train_iteration(images, it["widths"], it["epoch"], model, criterion, distill_criterion,
                                       feat_distill_criterion, reg_criterion, optimizer, scaler, c)
        out[f"{k}/loss"] = torch.tensor(losses, dtype=torch.float64)
        out[f"{k}/reg"] = torch.tensor(regs if regs else [0.0] * len(losses), dtype=torch.float64)
        absent_max = 0.0
        for name, p in model.named_parameters():
            side, kit = kit_name(name, ssl_type)
            if kit in c["zero_absent"]:
                absent_max = max(absent_max, p.abs().max().item())
            else:
                out[f"{k}/{side}/{kit}"] = p.detach().clone()
        out[f"{k}/absent_max_abs"] = torch.tensor([absent_max], dtype=torch.float64)
    save(out_path, out)


if __name__ == "__main__":
    # Several cases in one process: importing torch costs more than a case.
    for case_path, out_path in zip(sys.argv[1::2], sys.argv[2::2]):
        run(case_path, out_path)
