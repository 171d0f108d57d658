"""Runs the reference US-ViT (megvii-research/US3L-CVPR2023, ViT_experiments/models/us_vits.py)
on the kit's weights and compares its outputs with the kit's.

usage: us_vit_parity.py CASES.json

The reference file imports timm, which Debian does not package, so the classes below transcribe
the parts of us_vits.py that the US-ViT uses (USLinear, USLayerNorm, PatchEmbed, Mlp, Attn,
Attention, Block, VisionTransformer.forward_features, VisionTransformerMoCo's position embedding
and stop_grad_conv1), keeping its module names, its operations and their order. Only timm's
to_2tuple (a pair of ints) and DropPath (the identity at the rate 0 the US-ViTs use) are replaced.

CASES.json is a list of {"weights", "io", "config"}: the kit's state_dict (safetensors), its inputs
and outputs (safetensors), and {"img", "patch", "in_chans", "dim", "depth", "heads", "classes",
"widths", "modes"}. IO holds "x" and, per width w and mode m, the kit's "features/w/m" and
"logits/w/m". Prints a JSON list, one object per case: the reference's state_dict names, which
parameters it freezes, the largest difference between its sin-cos table and the kit's pos_embed,
and per width and mode the largest absolute difference of features and logits.
"""
import json
import struct
import sys
from functools import partial

import numpy as np
import torch
import torch.nn as nn

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}


def load(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        arr = np.frombuffer(data[start:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors


def make_divisible(v, divisor=8, min_value=1):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class USLinear(nn.Linear):
    """us_vits.py USLinear: us=[True, False] slims the input only, and slices the input itself."""

    def __init__(self, in_features, out_features, bias=True, us=(True, False)):
        super().__init__(in_features, out_features, bias=bias)
        self.in_features_max = in_features
        self.out_features_max = out_features
        self.width_mult = None
        self.us = us

    def forward(self, input):
        if self.us[0]:
            self.in_features = make_divisible(self.in_features_max * self.width_mult)
        if self.us[1]:
            self.out_features = make_divisible(self.out_features_max * self.width_mult)
        weight = self.weight[:self.out_features, :self.in_features]
        bias = self.bias[:self.out_features] if self.bias is not None else None
        return nn.functional.linear(input[:, :, :self.in_features], weight, bias)


class USLayerNorm(nn.LayerNorm):
    """us_vits.py USLayerNorm: computes c(w) but normalizes with the full, unsliced weight and bias."""

    def __init__(self, num_features, eps=1e-5, ratio=1):
        super().__init__(num_features, eps=eps)
        self.num_features_max = num_features
        self.ratio = ratio
        self.width_mult = None

    def forward(self, input):
        c = make_divisible(self.num_features_max * self.width_mult / self.ratio) * self.ratio  # unused, as in the reference
        return nn.functional.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)


class PatchEmbed(nn.Module):
    def __init__(self, img_size, patch_size, in_chans, embed_dim):
        super().__init__()
        self.img_size = (img_size, img_size)
        self.patch_size = (patch_size, patch_size)
        self.grid_size = (img_size // patch_size, img_size // patch_size)
        self.num_patches = self.grid_size[0] * self.grid_size[1]
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        B, C, H, W = x.shape
        assert H == self.img_size[0] and W == self.img_size[1]
        return self.proj(x).flatten(2).transpose(1, 2)


class Mlp(nn.Module):
    def __init__(self, in_features, hidden_features, act_layer=nn.GELU, drop=0.0):
        super().__init__()
        self.fc1 = USLinear(in_features, hidden_features)
        self.act = act_layer()
        self.fc2 = USLinear(hidden_features, in_features)
        self.drop = nn.Dropout(drop)

    def forward(self, x):
        x = self.drop(self.act(self.fc1(x)))
        return self.drop(self.fc2(x))


class Attn(nn.Module):
    def __init__(self, scale=1.0, attn_drop=0.0):
        super().__init__()
        self.scale = scale
        self.attn_softmax = torch.nn.Softmax(dim=-1)
        self.attn_drop = nn.Dropout(attn_drop)

    def forward(self, q, k):
        attn = (q @ k.transpose(-2, -1)) * self.scale
        return self.attn_drop(self.attn_softmax(attn))


class Attention(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias, attn_drop=0.0, proj_drop=0.0):
        super().__init__()
        self.num_heads = num_heads
        head_dim = dim // num_heads
        self.qkv = USLinear(dim, dim * 3, bias=qkv_bias)
        self.attn = Attn(head_dim ** -0.5, attn_drop)
        self.proj = USLinear(dim, dim)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = self.attn(q, k)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj_drop(self.proj(x))


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio, qkv_bias, norm_layer):
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.attn = Attention(dim, num_heads=num_heads, qkv_bias=qkv_bias)
        self.drop_path = nn.Identity()
        self.norm2 = norm_layer(dim)
        self.mlp = Mlp(in_features=dim, hidden_features=int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.drop_path(self.attn(self.norm1(x)))
        return x + self.drop_path(self.mlp(self.norm2(x)))


class VisionTransformerMoCo(nn.Module):
    def __init__(self, img_size, patch_size, in_chans, num_classes, embed_dim, depth, num_heads, mlp_ratio=4,
                 qkv_bias=True, norm_layer=None, stop_grad_conv1=False):
        super().__init__()
        self.num_tokens = 1
        self.embed_dim = embed_dim
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + 1, embed_dim))
        self.pos_drop = nn.Dropout(p=0.0)
        self.blocks = nn.ModuleList([Block(embed_dim, num_heads, mlp_ratio, qkv_bias, norm_layer) for _ in range(depth)])
        self.norm = norm_layer(embed_dim)
        self.pre_logits = nn.Identity()
        self.head = nn.Linear(embed_dim, num_classes) if num_classes > 0 else nn.Identity()
        self.build_2d_sincos_position_embedding()
        if stop_grad_conv1:
            self.patch_embed.proj.weight.requires_grad = False
            self.patch_embed.proj.bias.requires_grad = False

    def build_2d_sincos_position_embedding(self, temperature=10000.):
        h, w = self.patch_embed.grid_size
        grid_w = torch.arange(w, dtype=torch.float32)
        grid_h = torch.arange(h, dtype=torch.float32)
        grid_w, grid_h = torch.meshgrid(grid_w, grid_h, indexing="ij")
        pos_dim = self.embed_dim // 4
        omega = torch.arange(pos_dim, dtype=torch.float32) / pos_dim
        omega = 1. / (temperature ** omega)
        out_w = torch.einsum('m,d->md', [grid_w.flatten(), omega])
        out_h = torch.einsum('m,d->md', [grid_h.flatten(), omega])
        pos_emb = torch.cat([torch.sin(out_w), torch.cos(out_w), torch.sin(out_h), torch.cos(out_h)], dim=1)[None, :, :]
        pe_token = torch.zeros([1, 1, self.embed_dim], dtype=torch.float32)
        self.pos_embed = nn.Parameter(torch.cat([pe_token, pos_emb], dim=1))
        self.pos_embed.requires_grad = False

    def forward_features(self, x):
        B = x.shape[0]
        x = self.patch_embed(x)
        cls_tokens = self.cls_token.expand(B, -1, -1)
        x = torch.cat([cls_tokens, x], dim=1)
        x = self.pos_drop(x + self.pos_embed)
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)[:, 0]
        return self.pre_logits(x)

    def forward(self, x):
        return self.head(self.forward_features(x))


def compare(case):
    weights, io, c = load(case["weights"]), load(case["io"]), case["config"]
    model = VisionTransformerMoCo(img_size=c["img"], patch_size=c["patch"], in_chans=c["in_chans"], num_classes=c["classes"],
                                  embed_dim=c["dim"], depth=c["depth"], num_heads=c["heads"], mlp_ratio=4, qkv_bias=True,
                                  norm_layer=partial(USLayerNorm, eps=1e-6), stop_grad_conv1=True)
    table = model.pos_embed.detach().clone()
    model.load_state_dict(weights, strict=True)
    out = {
        "names": list(model.state_dict().keys()),
        "frozen": [n for n, p in model.named_parameters() if not p.requires_grad],
        "pos_embed_max_abs_diff": (table - weights["pos_embed"]).abs().max().item(),
        "widths": {},
    }
    x = io["x"]
    for w in c["widths"]:
        model.apply(lambda m: setattr(m, "width_mult", w))
        key = repr(float(w))
        out["widths"][key] = {}
        for mode in c["modes"]:
            model.train(mode == "train")
            with torch.no_grad():
                features = model.forward_features(x)
                logits = model.head(features)
            out["widths"][key][mode] = {
                "features": (features - io[f"features/{key}/{mode}"]).abs().max().item(),
                "logits": (logits - io[f"logits/{key}/{mode}"]).abs().max().item(),
                "feature_scale": features.abs().max().item(),
            }
    return out


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    torch.set_num_threads(1)
    print(json.dumps([compare(case) for case in cases]))


if __name__ == "__main__":
    main()
