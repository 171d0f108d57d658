#!/usr/bin/env python3
"""Reference values of torch.nn.functional for the C# parity tests (PyTorchParityTests.cs).

Usage: functional_parity.py OUT_DIR

For every named case: seeded float64 inputs, the forward output of F.<op>(**inputs, **kwargs),
and the gradients of sum(out * w) with respect to every floating input (w is a seeded weight
with the output's shape). Inputs that the op updates in place (batch-norm running statistics)
are recorded again after the call. Writes OUT_DIR/parity.json (index) and OUT_DIR/parity.bin
(raw little-endian arrays, float64 or int64, at the byte offsets named in the index).
"""
import json
import os
import sys
import zlib

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

CASES = []


def case(name, op, inputs, no_grad=(), **kwargs):
    """inputs: a function building the named input tensors (called under a per-case seed)."""
    CASES.append(dict(name=name, op=op, inputs=inputs, no_grad=set(no_grad), kwargs=kwargs))


def randn(*shape):
    return torch.randn(*shape)


def positive(*shape):
    return torch.rand(*shape) + 0.5


def labels(high, *shape):
    return torch.randint(0, high, shape)


# ---- convolution -----------------------------------------------------------------------------
case("conv2d_padding", "conv2d", lambda: dict(input=randn(2, 3, 7, 6), weight=randn(4, 3, 3, 3), bias=randn(4)), padding=1)
case("conv2d_groups_stride_dilation", "conv2d",
     lambda: dict(input=randn(2, 4, 9, 8), weight=randn(6, 2, 3, 2), bias=randn(6)),
     stride=[2, 1], padding=[1, 2], dilation=[1, 2], groups=2)
case("conv2d_depthwise_no_bias", "conv2d", lambda: dict(input=randn(1, 3, 6, 7), weight=randn(3, 1, 3, 3)), stride=2, groups=3)
case("conv2d_same", "conv2d", lambda: dict(input=randn(1, 2, 6, 5), weight=randn(3, 2, 3, 2), bias=randn(3)), padding="same", dilation=2)
case("conv_transpose2d_groups", "conv_transpose2d",
     lambda: dict(input=randn(2, 4, 5, 4), weight=randn(4, 3, 3, 3), bias=randn(6)),
     stride=2, padding=1, output_padding=1, groups=2)
case("conv_transpose2d_dilation", "conv_transpose2d",
     lambda: dict(input=randn(1, 2, 4, 3), weight=randn(2, 3, 2, 3)), stride=[1, 2], padding=[0, 1], dilation=[2, 1])
case("linear", "linear", lambda: dict(input=randn(3, 2, 5), weight=randn(4, 5), bias=randn(4)))

# ---- normalization ---------------------------------------------------------------------------
bn_inputs = lambda: dict(input=randn(4, 3, 5, 5) * 2 + 1, running_mean=randn(3), running_var=positive(3),
                         weight=randn(3), bias=randn(3))
case("batch_norm_train", "batch_norm", bn_inputs, no_grad=("running_mean", "running_var"), training=True, momentum=0.2, eps=1e-4)
case("batch_norm_eval", "batch_norm", bn_inputs, no_grad=("running_mean", "running_var"), training=False, eps=1e-3)
case("batch_norm_train_no_running_stats", "batch_norm", lambda: dict(input=randn(6, 4), weight=randn(4), bias=randn(4)),
     running_mean=None, running_var=None, training=True)
case("layer_norm", "layer_norm", lambda: dict(input=randn(2, 3, 4, 5), weight=randn(4, 5), bias=randn(4, 5)), normalized_shape=[4, 5])
case("group_norm", "group_norm", lambda: dict(input=randn(2, 6, 3, 4), weight=randn(6), bias=randn(6)), num_groups=3, eps=1e-4)
case("normalize", "normalize", lambda: dict(input=randn(4, 6)))
case("normalize_p1_dim0", "normalize", lambda: dict(input=randn(3, 5, 2)), p=1.0, dim=0)
case("cosine_similarity", "cosine_similarity", lambda: dict(x1=randn(5, 8), x2=randn(5, 8)))
case("cosine_similarity_broadcast", "cosine_similarity", lambda: dict(x1=randn(4, 1, 6), x2=randn(1, 3, 6)), dim=2)

# ---- pooling ---------------------------------------------------------------------------------
case("max_pool2d", "max_pool2d", lambda: dict(input=randn(2, 3, 7, 7)), kernel_size=3, stride=2, padding=1)
case("max_pool2d_ceil_dilation", "max_pool2d", lambda: dict(input=randn(1, 2, 8, 9)), kernel_size=[2, 3], dilation=2, ceil_mode=True)
case("avg_pool2d_exclude_pad", "avg_pool2d", lambda: dict(input=randn(2, 3, 7, 6)), kernel_size=3, stride=2, padding=1,
     count_include_pad=False)
case("avg_pool2d_ceil_divisor", "avg_pool2d", lambda: dict(input=randn(1, 2, 7, 7)), kernel_size=[2, 3], ceil_mode=True,
     divisor_override=4)
case("adaptive_avg_pool2d", "adaptive_avg_pool2d", lambda: dict(input=randn(2, 3, 7, 5)), output_size=[3, 2])

# ---- resampling ------------------------------------------------------------------------------
img = lambda: dict(input=randn(2, 3, 5, 6))
case("interpolate_bilinear_size", "interpolate", img, size=[9, 7], mode="bilinear", align_corners=False)
case("interpolate_bilinear_scale_align", "interpolate", img, scale_factor=1.7, mode="bilinear", align_corners=True)
case("interpolate_bilinear_down", "interpolate", img, size=[3, 4], mode="bilinear", align_corners=False)
case("interpolate_bicubic_size", "interpolate", img, size=[8, 11], mode="bicubic", align_corners=False)
case("interpolate_bicubic_scale_align", "interpolate", img, scale_factor=[2.0, 1.5], mode="bicubic", align_corners=True)
case("interpolate_nearest_size", "interpolate", img, size=[9, 5], mode="nearest")
case("interpolate_nearest_scale", "interpolate", img, scale_factor=2.5, mode="nearest")
case("interpolate_nearest_exact", "interpolate", img, scale_factor=1.5, mode="nearest-exact")
grid = lambda: dict(input=randn(2, 3, 5, 6), grid=torch.rand(2, 4, 3, 2) * 2.4 - 1.2)
case("grid_sample_bilinear_zeros", "grid_sample", grid, mode="bilinear", padding_mode="zeros", align_corners=False)
case("grid_sample_bilinear_border_align", "grid_sample", grid, mode="bilinear", padding_mode="border", align_corners=True)
case("grid_sample_bilinear_reflection", "grid_sample", grid, mode="bilinear", padding_mode="reflection", align_corners=False)
case("grid_sample_nearest_zeros", "grid_sample", grid, mode="nearest", padding_mode="zeros", align_corners=False)
case("grid_sample_bicubic_reflection_align", "grid_sample", grid, mode="bicubic", padding_mode="reflection", align_corners=True)
case("affine_grid", "affine_grid", lambda: dict(theta=randn(2, 2, 3)), size=[2, 3, 4, 5], align_corners=False)
case("affine_grid_align", "affine_grid", lambda: dict(theta=randn(2, 2, 3)), size=[2, 1, 3, 6], align_corners=True)
pad_in = lambda: dict(input=randn(2, 3, 4, 5))
case("pad_constant", "pad", pad_in, pad=[1, 2, 0, 1], mode="constant", value=0.5)
case("pad_reflect", "pad", pad_in, pad=[2, 1, 1, 2], mode="reflect")
case("pad_replicate", "pad", pad_in, pad=[1, 2, 3, 0], mode="replicate")
case("pad_circular", "pad", pad_in, pad=[1, 2, 2, 1], mode="circular")

# ---- activations -----------------------------------------------------------------------------
case("softmax", "softmax", lambda: dict(input=randn(3, 4, 5)), dim=1)
case("log_softmax", "log_softmax", lambda: dict(input=randn(3, 4, 5)), dim=-1)
case("gelu_tanh", "gelu", lambda: dict(input=randn(4, 5)), approximate="tanh")
case("leaky_relu", "leaky_relu", lambda: dict(input=randn(4, 5)), negative_slope=0.2)
case("hardswish", "hardswish", lambda: dict(input=randn(4, 5) * 3))
case("silu", "silu", lambda: dict(input=randn(4, 5)))

# ---- losses ----------------------------------------------------------------------------------
case("cross_entropy", "cross_entropy", lambda: dict(input=randn(6, 5), target=labels(5, 6)))
case("cross_entropy_weight_ignore_smoothing", "cross_entropy",
     lambda: dict(input=randn(8, 5), target=torch.tensor([0, 2, 4, 2, 1, 3, 2, 0]), weight=positive(5)),
     no_grad=("weight",), ignore_index=2, label_smoothing=0.1)
case("cross_entropy_sum_smoothing", "cross_entropy", lambda: dict(input=randn(6, 4), target=labels(4, 6), weight=positive(4)),
     no_grad=("weight",), reduction="sum", label_smoothing=0.2)
case("cross_entropy_spatial_none", "cross_entropy", lambda: dict(input=randn(2, 4, 3, 3), target=labels(4, 2, 3, 3)),
     reduction="none", ignore_index=1)
case("cross_entropy_probabilities", "cross_entropy",
     lambda: dict(input=randn(5, 4), target=torch.softmax(randn(5, 4), dim=1)), no_grad=("target",), label_smoothing=0.1)
case("nll_loss", "nll_loss", lambda: dict(input=torch.log_softmax(randn(6, 3), 1), target=labels(3, 6)))
case("mse_loss", "mse_loss", lambda: dict(input=randn(3, 4), target=randn(3, 4)))
case("smooth_l1_loss", "smooth_l1_loss", lambda: dict(input=randn(4, 5), target=randn(4, 5)), reduction="sum", beta=0.5)
case("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits",
     lambda: dict(input=randn(4, 5) * 2, target=torch.rand(4, 5), pos_weight=positive(5)), no_grad=("pos_weight",))
case("binary_cross_entropy_with_logits_weight_none", "binary_cross_entropy_with_logits",
     lambda: dict(input=randn(3, 4), target=torch.rand(3, 4), weight=positive(3, 4)), no_grad=("weight",), reduction="none")
case("kl_div_batchmean", "kl_div", lambda: dict(input=torch.log_softmax(randn(4, 6), 1), target=torch.softmax(randn(4, 6), 1)),
     reduction="batchmean")


class Writer:
    def __init__(self):
        self.chunks = []
        self.offset = 0

    def add(self, t):
        t = t.detach().contiguous()
        if t.dtype not in (torch.float64, torch.int64):
            raise TypeError(f"unsupported dtype {t.dtype}")
        data = t.numpy().astype("<f8" if t.dtype == torch.float64 else "<i8").tobytes()
        ref = dict(dtype=str(t.dtype).replace("torch.", ""), shape=list(t.shape), offset=self.offset)
        self.chunks.append(data)
        self.offset += len(data)
        return ref


def run(spec, writer):
    torch.manual_seed(zlib.crc32(spec["name"].encode()))
    inputs = spec["inputs"]()
    grad_names = [k for k, v in inputs.items() if v.is_floating_point() and k not in spec["no_grad"]]
    record = dict(name=spec["name"], op=spec["op"], kwargs=spec["kwargs"], requires_grad=grad_names,
                  inputs={k: writer.add(v) for k, v in inputs.items()})
    for k in grad_names:
        inputs[k].requires_grad_(True)
    out = getattr(F, spec["op"])(**inputs, **spec["kwargs"])
    w = torch.randn(out.shape, generator=torch.Generator().manual_seed(4321))
    (out * w).sum().backward()
    record["output"] = writer.add(out)
    record["grad_output"] = writer.add(w)
    record["grads"] = {k: writer.add(inputs[k].grad) for k in grad_names}
    record["after"] = {k: writer.add(v) for k, v in inputs.items() if k in spec["no_grad"]}
    return record


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    writer = Writer()
    records = [run(spec, writer) for spec in CASES]
    with open(os.path.join(out_dir, "parity.bin"), "wb") as f:
        for chunk in writer.chunks:
            f.write(chunk)
    with open(os.path.join(out_dir, "parity.json"), "w") as f:
        json.dump(dict(torch_version=torch.__version__, cases=records), f)


if __name__ == "__main__":
    main()
