#!/usr/bin/env python3
"""torchvision 0.14's Mask R-CNN on the kit's weights and inputs, for MaskRcnnParityTests.cs.

usage: maskrcnn_parity.py WEIGHTS.safetensors INPUTS.safetensors OUT.safetensors

WEIGHTS is the kit detector's fixed-width state_dict (torchvision names); its metadata "config" is
a JSON object with the detector's settings (see the test). INPUTS holds image_i [C, H, W] (float,
0-1) and boxes_i, labels_i, masks_i of each image i. The script builds torchvision's MaskRCNN with
the same settings on a plain ResNet body of the exported channel counts, loads the weights with
strict=True and writes to OUT, in this order (the kit runs the same order, so BN statistics and
the random stream agree):
- eval mode: the RPN proposals (proposals_i, resized-batch coordinates) and the detections
  (det_boxes_i, det_labels_i, det_scores_i, det_masks_i: pasted probabilities [n, 1, H, W]);
- train mode, after torch.manual_seed(seed): the five losses (loss_*), and the gradients of their sum
  for the parameters listed in config["grads"] (grad.NAME).
"""
import json
import os
import struct
import sys

import torch
import torch.nn as nn
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.models.detection.rpn import RPNHead
from torchvision.ops import MultiScaleRoIAlign
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_parity import Block, load  # noqa: E402

CODES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def save(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype not in CODES:
            t = t.to(torch.int64)
        blob = t.numpy().tobytes()
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class Body(nn.Module):
    """A plain ResNet of the exported channel counts whose children run in order (as torchvision's
    ResNet under IntermediateLayerGetter): conv1, bn1, relu, [maxpool,] layer1..layer4."""

    def __init__(self, sd, imagenet):
        super().__init__()
        w = sd["conv1.weight"]
        self.conv1 = nn.Conv2d(w.shape[1], w.shape[0], w.shape[-1], 2 if imagenet else 1, w.shape[-1] // 2, bias=False)
        self.bn1 = nn.BatchNorm2d(w.shape[0])
        self.relu = nn.ReLU(inplace=True)
        if imagenet:
            self.maxpool = nn.MaxPool2d(3, 2, 1)
        for s in range(1, 5):
            blocks, b = [], 0
            while f"layer{s}.{b}.conv1.weight" in sd:
                blocks.append(Block(sd, f"layer{s}.{b}.", 2 if b == 0 and s > 1 else 1))
                b += 1
            setattr(self, f"layer{s}", nn.Sequential(*blocks))


def build(sd, cfg):
    body_sd = {k[len("backbone.body."):]: v for k, v in sd.items() if k.startswith("backbone.body.")}
    body = Body(body_sd, cfg["imagenet"])
    returned = cfg["returned_layers"]
    in_channels = [body_sd[f"layer{l}.0.conv1.weight"].shape[0] * (4 if f"layer{l}.0.conv3.weight" in body_sd else 1) for l in returned]
    c = cfg["fpn_channels"]
    backbone = BackboneWithFPN(body, {f"layer{l}": str(i) for i, l in enumerate(returned)}, in_channels, c, extra_blocks=LastLevelMaxPool())
    names = [str(i) for i in range(len(returned))]
    anchors = AnchorGenerator(tuple(tuple(s) for s in cfg["anchor_sizes"]), (tuple(cfg["aspect_ratios"]),) * len(cfg["anchor_sizes"]))
    k = cfg["num_classes"]
    model = MaskRCNN(
        backbone, num_classes=None, min_size=tuple(cfg["min_size"]), max_size=cfg["max_size"],
        image_mean=cfg["image_mean"], image_std=cfg["image_std"],
        rpn_anchor_generator=anchors, rpn_head=RPNHead(c, anchors.num_anchors_per_location()[0]),
        rpn_pre_nms_top_n_train=cfg["rpn_pre_nms_top_n_train"], rpn_pre_nms_top_n_test=cfg["rpn_pre_nms_top_n_test"],
        rpn_post_nms_top_n_train=cfg["rpn_post_nms_top_n_train"], rpn_post_nms_top_n_test=cfg["rpn_post_nms_top_n_test"],
        rpn_batch_size_per_image=cfg["rpn_batch_size_per_image"],
        box_roi_pool=MultiScaleRoIAlign(names, 7, 2), box_head=TwoMLPHead(c * 49, cfg["representation_size"]),
        box_predictor=FastRCNNPredictor(cfg["representation_size"], k), box_batch_size_per_image=cfg["box_batch_size_per_image"],
        box_score_thresh=cfg["box_score_thresh"], box_detections_per_img=cfg["detections_per_image"],
        mask_roi_pool=MultiScaleRoIAlign(names, 14, 2), mask_head=MaskRCNNHeads(c, cfg["mask_layers"], 1),
        mask_predictor=MaskRCNNPredictor(cfg["mask_layers"][-1], cfg["mask_dim_reduced"], k))
    model.load_state_dict(sd, strict=True)
    return model


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sd, meta = load(sys.argv[1])
    cfg = json.loads(meta["config"])
    io, _ = load(sys.argv[2])
    model = build(sd, cfg)
    n = cfg["images"]
    images = [io[f"image_{i}"] for i in range(n)]
    targets = [dict(boxes=io[f"boxes_{i}"], labels=io[f"labels_{i}"], masks=io[f"masks_{i}"].to(torch.uint8)) for i in range(n)]
    out = {}

    model.eval()
    proposals = {}
    model.rpn.register_forward_hook(lambda m, i, o: proposals.update(boxes=o[0]))
    with torch.no_grad():
        detections = model(images)
    for i, d in enumerate(detections):
        out[f"proposals_{i}"] = proposals["boxes"][i]
        out[f"det_boxes_{i}"] = d["boxes"]
        out[f"det_labels_{i}"] = d["labels"]
        out[f"det_scores_{i}"] = d["scores"]
        out[f"det_masks_{i}"] = d["masks"]

    model.train()
    torch.manual_seed(cfg["seed"])
    losses = model(images, targets)
    for name, value in losses.items():
        out[name] = value.reshape(1)
    sum(losses.values()).backward()
    params = dict(model.named_parameters())
    for name in cfg["grads"]:
        out["grad." + name] = params[name].grad
    save(sys.argv[3], out)


if __name__ == "__main__":
    main()
