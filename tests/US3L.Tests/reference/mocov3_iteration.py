"""A few MoCo v3 US3L training iterations of the US-ViT as the reference code runs them, for
MocoV3IterationParityTests.cs (science.md 3.6).

usage: mocov3_iteration.py CASE.safetensors OUT.safetensors [CASE2 OUT2 ...]

The reference is github.com/megvii-research/US3L-CVPR2023, folder ViT_experiments, cited below as
"file Lx-y": moco/builder.py (MoCo, MoCo_ViT, MoCo_USViT) and main_moco_ofa_ddp.py (main_worker's
model, learning-rate scaling and optimizer, L202-255; GroupRegularizer, L393-449; train, L452-524;
adjust_learning_rate, L573-581; adjust_moco_momentum, L584-587). Those pieces are transcribed here,
keeping their names and the order of their operations; the US-ViT itself (models/us_vits.py) is
imported from us_vit_parity.py, which transcribes it for the forward parity test. What is left out
is named where it is left out: DDP (one process: the gather of the keys is the identity and the
rank 0), SyncBN, AMP (autocast and the GradScaler are off, and the run is in float64), the data
loader and the width sampler (generate_widths_train, L351-373: the widths are given).

CASE holds the online weights under the kit's names (backbone.*, projector.*, predictor.*), the
momentum encoder's under "teacher/backbone.*" and "teacher/projector.*", the two views "x1" and
"x2", and in its metadata "config", a JSON object with the script's arguments (see `args` below),
the US-ViT's shape and "iterations", a list of {"epoch", "i", "widths"} (i: the batch index within
the epoch, of "iters_per_epoch"). OUT holds, after iteration k (0-based): "k/loss" and "k/reg", one
value per width step (the values train() gives losses.update and reg_losses.update, L501 and L505);
"k/reg_frozen", the part of "k/reg" that comes from frozen parameters (see GroupRegularizer);
"k/lr" and "k/moco_m", the rate and EMA momentum of the iteration; and every online and momentum
encoder parameter under the kit's names, "k/online/NAME" and "k/teacher/NAME".
"""
import json
import math
import os
import sys
from copy import deepcopy
from functools import partial
from types import SimpleNamespace

import torch
import torch.nn as nn
from torch.cuda.amp import GradScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from us3l_iteration import load, save  # noqa: E402  (safetensors, the format only)
from us_vit_parity import USLayerNorm, VisionTransformerMoCo  # noqa: E402  (models/us_vits.py)


# ---- moco/builder.py ----

@torch.no_grad()
def concat_all_gather(tensor):
    # builder.py, concat_all_gather: all_gather over the processes; with one process, the tensor itself.
    return tensor


class MoCo(nn.Module):
    # builder.py L15-101.
    def __init__(self, base_encoder, dim=256, mlp_dim=4096, T=1.0):
        # L20-39: both encoders built with a head of mlp_dim outputs, the heads replaced by the MLPs,
        # then every momentum parameter a copy of the base one, out of the gradient.
        super(MoCo, self).__init__()
        self.T = T
        self.base_encoder = base_encoder(num_classes=mlp_dim)
        self.momentum_encoder = base_encoder(num_classes=mlp_dim)
        self._build_projector_and_predictor_mlps(dim, mlp_dim)
        for param_b, param_m in zip(self.base_encoder.parameters(), self.momentum_encoder.parameters()):
            param_m.data.copy_(param_b.data)  # initialize
            param_m.requires_grad = False  # not update by gradient

    def _build_mlp(self, num_layers, input_dim, mlp_dim, output_dim, last_bn=True):
        # L41-57: Linear without bias, BN and ReLU between layers, a last BN without affine.
        mlp = []
        for l in range(num_layers):
            dim1 = input_dim if l == 0 else mlp_dim
            dim2 = output_dim if l == num_layers - 1 else mlp_dim
            mlp.append(nn.Linear(dim1, dim2, bias=False))
            if l < num_layers - 1:
                mlp.append(nn.BatchNorm1d(dim2))
                mlp.append(nn.ReLU(inplace=True))
            elif last_bn:
                mlp.append(nn.BatchNorm1d(dim2, affine=False))
        return nn.Sequential(*mlp)

    def _build_projector_and_predictor_mlps(self, dim, mlp_dim):
        pass

    @torch.no_grad()
    def _update_momentum_encoder(self, m):
        # L62-66: every parameter of the encoders (the frozen ones too), heads included.
        for param_b, param_m in zip(self.base_encoder.parameters(), self.momentum_encoder.parameters()):
            param_m.data = param_m.data * m + param_b.data * (1. - m)

    def contrastive_loss(self, q, k):
        # L68-78: 2T * CE over the keys of the global batch; rank 0 of one process, on the CPU.
        q = nn.functional.normalize(q, dim=1)
        k = nn.functional.normalize(k, dim=1)
        k = concat_all_gather(k)
        logits = torch.einsum('nc,mc->nm', [q, k]) / self.T
        N = logits.shape[0]  # batch size per GPU
        labels = torch.arange(N, dtype=torch.long) + N * 0
        return nn.CrossEntropyLoss()(logits, labels) * (2 * self.T)


class MoCo_ViT(MoCo):
    # builder.py L117-127: a 3-layer projector as the encoders' head, a 2-layer predictor.
    def _build_projector_and_predictor_mlps(self, dim, mlp_dim):
        hidden_dim = self.base_encoder.head.weight.shape[1]
        del self.base_encoder.head, self.momentum_encoder.head  # remove original fc layer
        self.base_encoder.head = self._build_mlp(3, hidden_dim, mlp_dim, dim)
        self.momentum_encoder.head = self._build_mlp(3, hidden_dim, mlp_dim, dim)
        self.predictor = self._build_mlp(2, dim, mlp_dim, dim)


class MoCo_USViT(MoCo_ViT):
    # builder.py L129-165.
    def __init__(self, base_encoder, dim=256, mlp_dim=4096, T=1.0):
        # L130-133: the sub-networks' head starts as a copy of the predictor; the teacher runs at 1.0.
        super(MoCo_USViT, self).__init__(base_encoder, dim, mlp_dim, T)
        self.predictor_new = deepcopy(self.predictor)
        self.momentum_encoder.apply(lambda m: setattr(m, 'width_mult', 1.0))

    def forward(self, x1, x2, m, update=True, teacher_target=None):
        # L135-165: at the max width (update) the predictor, the EMA update and the momentum
        # encoder's keys; at a sub-width predictor_new, and the keys of the max-width step.
        z1 = self.base_encoder(x1)
        z2 = self.base_encoder(x2)
        if update:
            q1 = self.predictor(z1)
            q2 = self.predictor(z2)
            with torch.no_grad():
                self._update_momentum_encoder(m)  # update the momentum encoder
                k1 = self.momentum_encoder(x1)
                k2 = self.momentum_encoder(x2)
        else:
            q1 = self.predictor_new(z1)
            q2 = self.predictor_new(z2)
            k1 = z1  # hack: need to detach, None
            k2 = z2  # hack: need to detach, None
        if teacher_target is not None:
            k1, k2 = teacher_target
        return self.contrastive_loss(q1, k2) + self.contrastive_loss(q2, k1), [q1, q2], [k1.detach(), k2.detach()]


# ---- models/us_vits.py ----

def us_vit(args, **kwargs):
    # us_vit_tiny (us_vits.py) with the case's shape: the same VisionTransformerMoCo, qkv bias,
    # MLP ratio 4 and USLayerNorm(eps=1e-6), at the patch, width, depth, heads and input of the case.
    return VisionTransformerMoCo(img_size=args.img, patch_size=args.patch, in_chans=args.in_chans, embed_dim=args.embed_dim,
                                 depth=args.depth, num_heads=args.heads, mlp_ratio=4, qkv_bias=True,
                                 norm_layer=partial(USLayerNorm, eps=1e-6), **kwargs)


# ---- main_moco_ofa_ddp.py ----

class GroupRegularizer(nn.Module):
    # main_moco_ofa_ddp.py L393-449: the ViT grouping. Linear weights (2-D) get per-group
    # coefficients along the input axis; every other tensor the uniform lambda. The momentum
    # encoder is skipped, and at width 1.0 every parameter named "...predictor..." (predictor_new too).
    def __init__(self, args, model):
        super().__init__()
        self.name = "GroupReg"
        self.model = model
        self.args = args
        self.reg_lambda = args.reg_lambda
        self.decay_alpha = args.reg_decay_alpha
        self.decay_type = args.reg_decay_type
        self.decay_bins = args.reg_decay_bins
        self.warmup_epochs = args.reg_warmup_epochs
        self.total_epochs = args.epochs

    def cal_lambda(self, i, epoch):
        # L406-426
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
        # L428-449. The sum runs over model.named_parameters(), so the frozen patch embedding and
        # position table add a constant (they get no gradient); reg_frozen below measures it.
        loss = 0.
        for n, p in self.model.named_parameters():
            if 'momentum_encoder' in n or 'proj_conv' in n:
                continue
            if width_mult == 1.0 and 'predictor' in n:
                continue
            length = len(p.size())
            lambda_mask = torch.ones(p.size(), dtype=torch.float64, device=p.device)
            if length == 2:
                dim_out, dim_in = p.size()[0], p.size()[1]
                group_dim_out, group_dim_in = dim_out // self.decay_bins, dim_in // self.decay_bins
                for i in range(self.decay_bins):
                    end_dim = dim_in if i == self.decay_bins - 1 else (i + 1) * group_dim_in
                    lambda_mask[:, i * group_dim_in:end_dim] = self.cal_lambda(i, epoch)
            else:
                lambda_mask[:] = self.reg_lambda
            loss += (lambda_mask * torch.square(p)).sum()
        return loss


def reg_frozen(reg_criterion, width_mult, epoch):
    """Not reference code: the frozen parameters' share of reg_criterion(width_mult, epoch)."""
    frozen = [n for n, p in reg_criterion.model.named_parameters() if not p.requires_grad and 'momentum_encoder' not in n]
    assert all('predictor' not in n and reg_criterion.model.get_parameter(n).dim() != 2 for n in frozen), frozen
    return sum(reg_criterion.reg_lambda * torch.square(reg_criterion.model.get_parameter(n)).sum().item() for n in frozen)


def adjust_learning_rate(optimizer, epoch, args):
    # L573-581: linear warm-up from 0, then a half cosine; epoch is fractional (per iteration).
    if epoch < args.warmup_epochs:
        lr = args.lr * epoch / args.warmup_epochs
    else:
        lr = args.lr * 0.5 * (1. + math.cos(math.pi * (epoch - args.warmup_epochs) / (args.epochs - args.warmup_epochs)))
    for param_group in optimizer.param_groups:
        param_group['lr'] = lr
    return lr


def adjust_moco_momentum(epoch, args):
    # L584-587
    m = 1. - 0.5 * (1. + math.cos(math.pi * epoch / args.epochs)) * (1. - args.moco_m)
    return m


def train_iteration(images, i, epoch, iters_per_epoch, widths_train, model, optimizer, scaler, reg_criterion, args, out, k):
    # train(), L452-524, the body of its loop for batch i. model.module is the model itself (no DDP);
    # autocast is off; with the scaler disabled, scaler.scale(loss).backward() / scaler.step(optimizer)
    # are loss.backward() / optimizer.step().
    moco_m = args.moco_m  # L471
    lr = adjust_learning_rate(optimizer, epoch + i / iters_per_epoch, args)  # L477
    if args.moco_m_cos:  # L480-481
        moco_m = adjust_moco_momentum(epoch + i / iters_per_epoch, args)
    losses, regs, frozen = [], [], []
    max_width = max(widths_train)  # L489
    for j, width_mult in enumerate(widths_train):
        model.base_encoder.apply(lambda m: setattr(m, 'width_mult', width_mult))  # L492
        if width_mult == max_width:  # L495-499
            loss, output, teacher_target = model(images[0], images[1], moco_m)
        else:
            loss, output, target = model(images[0], images[1], moco_m, update=False, teacher_target=teacher_target)
        losses.append(loss.item())  # L501
        if args.group_regularizer:  # L503-506
            reg_loss = reg_criterion(width_mult=width_mult, epoch=epoch)
            regs.append(reg_loss.item())
            frozen.append(reg_frozen(reg_criterion, width_mult, epoch))
            loss += reg_loss
        # L509-514. zero_grad() of the PyTorch 1.x the code was written for (1.13 here) zeroes the
        # gradients in place (set_to_none=False): a head outside this step's graph keeps a zero
        # gradient, so AdamW still moves it by its moments and weight decay.
        optimizer.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    out[f"{k}/loss"] = torch.tensor(losses, dtype=torch.float64)
    out[f"{k}/reg"] = torch.tensor(regs if regs else [0.0] * len(losses), dtype=torch.float64)
    out[f"{k}/reg_frozen"] = torch.tensor(frozen if frozen else [0.0] * len(losses), dtype=torch.float64)
    out[f"{k}/lr"] = torch.tensor([lr], dtype=torch.float64)
    out[f"{k}/moco_m"] = torch.tensor([moco_m], dtype=torch.float64)


# ---- names: reference modules <-> the kit's SslNetwork and EmaTeacher ----

def kit_name(ref_name):
    """The kit's name of a reference parameter: ("online" | "teacher", name)."""
    for ref, side, kit in (("base_encoder.head.", "online", "projector."), ("base_encoder.", "online", "backbone."),
                           ("momentum_encoder.head.", "teacher", "projector."), ("momentum_encoder.", "teacher", "backbone.")):
        if ref_name.startswith(ref):
            return side, kit + ref_name[len(ref):]
    if ref_name.startswith("predictor.") or ref_name.startswith("predictor_new."):
        return "online", ref_name
    raise KeyError(f"no kit name for reference parameter {ref_name}")


def run(case_path, out_path):
    case, meta = load(case_path)
    c = json.loads(meta["config"])
    args = SimpleNamespace(**c["args"])
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(0)  # the reference draws initial weights; every one is overwritten below

    # main_worker, L202-206 and L213: the model, and the rate scaled by the batch.
    model = MoCo_USViT(partial(us_vit, args, stop_grad_conv1=args.stop_grad_conv1), args.moco_dim, args.moco_mlp_dim, args.moco_t)
    # The position table is built in float32 (us_vits.py build_2d_sincos_position_embedding); the
    # whole run is in float64.
    model.to(torch.float64)
    args.lr = args.lr * args.batch_size / 256

    # The kit's weights into both encoders and the predictor. predictor_new stays the deepcopy of
    # the predictor that MoCo_USViT.__init__ made (builder.py L132), drawn before the predictor's
    # weights were loaded, so it is copied again here, as the deepcopy of the loaded predictor.
    with torch.no_grad():
        tensors = {k: v for k, v in case.items() if k not in ("x1", "x2")}
        for name, p in model.named_parameters():
            side, kit = kit_name(name)
            if kit.startswith("predictor_new."):
                continue
            key = kit if side == "online" else "teacher/" + kit
            assert key in tensors, f"reference parameter {name} ({key}) is not in the case file"
            assert tuple(tensors[key].shape) == tuple(p.shape), f"{name}: {tuple(p.shape)} vs kit {key} {tuple(tensors[key].shape)}"
            p.copy_(tensors.pop(key))
        assert not tensors, f"kit parameters without a reference parameter: {sorted(tensors)}"
        model.predictor_new.load_state_dict(model.predictor.state_dict())

    # L251-255: AdamW over model.parameters() (frozen and momentum parameters never get a
    # gradient, so it skips them), weight decay 0 under the group regularizer; the scaler.
    assert args.optimizer == 'adamw'
    optimizer = torch.optim.AdamW(model.parameters(), args.lr,
                                  weight_decay=args.weight_decay if not args.group_regularizer else 0)
    scaler = GradScaler(enabled=False)
    model.train()  # L463
    reg_criterion = GroupRegularizer(args, model)  # L466

    out = {}
    images = [case["x1"], case["x2"]]
    for k, it in enumerate(c["iterations"]):
        train_iteration(images, it["i"], it["epoch"], c["iters_per_epoch"], it["widths"], model, optimizer, scaler,
                        reg_criterion, args, out, k)
        for name, p in model.named_parameters():
            side, kit = kit_name(name)
            out[f"{k}/{side}/{kit}"] = p.detach().clone()
    save(out_path, out)


if __name__ == "__main__":
    # Several cases in one process: importing torch costs more than a case.
    for case_path, out_path in zip(sys.argv[1::2], sys.argv[2::2]):
        run(case_path, out_path)
