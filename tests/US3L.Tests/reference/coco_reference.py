#!/usr/bin/env python3
"""Transcriptions of pycocotools (cocodataset/cocoapi; not packaged in Debian 12) for the C# tests.

Usage:
  coco_reference.py eval IN.json OUT.json      COCOeval (evaluate, accumulate, summarize) on IN
  coco_reference.py polygons IN.json OUT.json  maskApi.c's rleFrPoly: the RLE counts of each polygon
  coco_reference.py strings IN.json OUT.json   maskApi.c's rleFrString: counts of each compressed string

eval input: {"iou_type": "bbox"|"segm", "num_classes": K, "images": [{"id", "height", "width"}],
"gts": [{"id", "image_id", "category_id", "bbox": [x, y, w, h], "area", "iscrowd", "mask": [RLE counts]}],
"dts": [{"image_id", "category_id", "bbox", "score", "mask"}]}; output: {"stats": [12], "precision": [T*R*K*A*M],
"recall": [T*K*A*M]} (C order). The evaluation below follows cocoeval.py line by line with its data
structures replaced by plain lists; masks are decoded from their counts and compared as bitmaps
(the same pixel counts as rleIou).
"""
import json
import math
import sys
from collections import defaultdict

import numpy as np

# ---- COCOeval --------------------------------------------------------------------------------------

IOU_THRS = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
REC_THRS = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
MAX_DETS = [1, 10, 100]
AREA_RNG = [[0 ** 2, 1e5 ** 2], [0 ** 2, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2]]
AREA_LBL = ['all', 'small', 'medium', 'large']


def decode(counts, h, w):
    """maskApi.c rleDecode: runs of 0s and 1s, column by column, as a row-major h x w bool array."""
    values = np.repeat(np.arange(len(counts)) % 2, counts).astype(bool)
    return values.reshape(w, h).T


def bbox_iou(d, g, crowd):
    # maskApi.c bbIou
    w = min(d[2] + d[0], g[2] + g[0]) - max(d[0], g[0])
    if w <= 0:
        return 0.0
    h = min(d[3] + d[1], g[3] + g[1]) - max(d[1], g[1])
    if h <= 0:
        return 0.0
    i = w * h
    da = d[2] * d[3]
    u = da if crowd else da + g[2] * g[3] - i
    return i / u


def mask_iou(d, g, crowd):
    # maskApi.c rleIou on decoded masks
    i = int(np.count_nonzero(d & g))
    if i == 0:
        return 0.0
    u = int(np.count_nonzero(d)) if crowd else int(np.count_nonzero(d | g))
    return i / u


def evaluate(data):
    iou_type = data["iou_type"]
    cat_ids = list(range(1, data["num_classes"] + 1))
    img_ids = sorted(im["id"] for im in data["images"])
    gts = [dict(g) for g in data["gts"]]
    dts = []
    for i, d in enumerate(data["dts"]):  # loadRes
        d = dict(d)
        d["id"] = i + 1
        d["iscrowd"] = 0
        if iou_type == "bbox":
            d["area"] = d["bbox"][2] * d["bbox"][3]
        dts.append(d)
    if iou_type == "segm":
        sizes = {im["id"]: (im["height"], im["width"]) for im in data["images"]}
        for o in gts + dts:
            o["m"] = decode(o["mask"], *sizes[o["image_id"]])
        for d in dts:
            d["area"] = int(np.count_nonzero(d["m"]))  # loadRes: maskUtils.area
    for g in gts:  # _prepare
        g["ignore"] = "iscrowd" in g and g["iscrowd"]
    _gts, _dts = defaultdict(list), defaultdict(list)
    for g in gts:
        _gts[g["image_id"], g["category_id"]].append(g)
    for d in dts:
        _dts[d["image_id"], d["category_id"]].append(d)

    def compute_iou(img_id, cat_id):
        gt, dt = _gts[img_id, cat_id], _dts[img_id, cat_id]
        if len(gt) == 0 and len(dt) == 0:
            return []
        inds = np.argsort([-d["score"] for d in dt], kind="mergesort")
        dt = [dt[i] for i in inds]
        if len(dt) > MAX_DETS[-1]:
            dt = dt[0:MAX_DETS[-1]]
        if len(dt) == 0 or len(gt) == 0:
            return []
        ious = np.zeros((len(dt), len(gt)))
        for i, d in enumerate(dt):
            for j, g in enumerate(gt):
                ious[i, j] = bbox_iou(d["bbox"], g["bbox"], g["iscrowd"]) if iou_type == "bbox" else mask_iou(d["m"], g["m"], g["iscrowd"])
        return ious

    ious = {(i, c): compute_iou(i, c) for i in img_ids for c in cat_ids}

    def evaluate_img(img_id, cat_id, a_rng, max_det):
        gt, dt = _gts[img_id, cat_id], _dts[img_id, cat_id]
        if len(gt) == 0 and len(dt) == 0:
            return None
        for g in gt:
            g["_ignore"] = 1 if (g["ignore"] or (g["area"] < a_rng[0] or g["area"] > a_rng[1])) else 0
        gtind = np.argsort([g["_ignore"] for g in gt], kind="mergesort")
        gt = [gt[i] for i in gtind]
        dtind = np.argsort([-d["score"] for d in dt], kind="mergesort")
        dt = [dt[i] for i in dtind[0:max_det]]
        iscrowd = [int(o["iscrowd"]) for o in gt]
        iou = ious[img_id, cat_id]
        iou = iou[:, gtind] if len(iou) > 0 else iou
        T, G, D = len(IOU_THRS), len(gt), len(dt)
        gtm = np.zeros((T, G))
        dtm = np.zeros((T, D))
        gt_ig = np.array([g["_ignore"] for g in gt])
        dt_ig = np.zeros((T, D))
        if not len(iou) == 0:
            for tind, t in enumerate(IOU_THRS):
                for dind, d in enumerate(dt):
                    best = min([t, 1 - 1e-10])
                    m = -1
                    for gind, g in enumerate(gt):
                        if gtm[tind, gind] > 0 and not iscrowd[gind]:
                            continue
                        if m > -1 and gt_ig[m] == 0 and gt_ig[gind] == 1:
                            break
                        if iou[dind, gind] < best:
                            continue
                        best = iou[dind, gind]
                        m = gind
                    if m == -1:
                        continue
                    dt_ig[tind, dind] = gt_ig[m]
                    dtm[tind, dind] = gt[m]["id"]
                    gtm[tind, m] = d["id"]
        a = np.array([d["area"] < a_rng[0] or d["area"] > a_rng[1] for d in dt]).reshape((1, len(dt)))
        dt_ig = np.logical_or(dt_ig, np.logical_and(dtm == 0, np.repeat(a, T, 0)))
        return dict(dtMatches=dtm, dtScores=[d["score"] for d in dt], gtIgnore=gt_ig, dtIgnore=dt_ig)

    eval_imgs = [evaluate_img(i, c, a, MAX_DETS[-1]) for c in cat_ids for a in AREA_RNG for i in img_ids]

    # accumulate
    T, R, K, A, M = len(IOU_THRS), len(REC_THRS), len(cat_ids), len(AREA_RNG), len(MAX_DETS)
    precision = -np.ones((T, R, K, A, M))
    recall = -np.ones((T, K, A, M))
    I0, A0 = len(img_ids), len(AREA_RNG)
    for k in range(K):
        Nk = k * A0 * I0
        for a in range(A):
            Na = a * I0
            for m, max_det in enumerate(MAX_DETS):
                E = [eval_imgs[Nk + Na + i] for i in range(I0)]
                E = [e for e in E if e is not None]
                if len(E) == 0:
                    continue
                dt_scores = np.concatenate([e["dtScores"][0:max_det] for e in E])
                inds = np.argsort(-dt_scores, kind="mergesort")
                dtm = np.concatenate([e["dtMatches"][:, 0:max_det] for e in E], axis=1)[:, inds]
                dt_ig = np.concatenate([e["dtIgnore"][:, 0:max_det] for e in E], axis=1)[:, inds]
                gt_ig = np.concatenate([e["gtIgnore"] for e in E])
                npig = np.count_nonzero(gt_ig == 0)
                if npig == 0:
                    continue
                tps = np.logical_and(dtm, np.logical_not(dt_ig))
                fps = np.logical_and(np.logical_not(dtm), np.logical_not(dt_ig))
                tp_sum = np.cumsum(tps, axis=1).astype(dtype=float)
                fp_sum = np.cumsum(fps, axis=1).astype(dtype=float)
                for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
                    tp, fp = np.array(tp), np.array(fp)
                    nd = len(tp)
                    rc = tp / npig
                    pr = tp / (fp + tp + np.spacing(1))
                    q = np.zeros((R,))
                    recall[t, k, a, m] = rc[-1] if nd else 0
                    pr, q = pr.tolist(), q.tolist()
                    for i in range(nd - 1, 0, -1):
                        if pr[i] > pr[i - 1]:
                            pr[i - 1] = pr[i]
                    inds = np.searchsorted(rc, REC_THRS, side="left")
                    try:
                        for ri, pi in enumerate(inds):
                            q[ri] = pr[pi]
                    except IndexError:
                        pass
                    precision[t, :, k, a, m] = np.array(q)

    def summarize(ap=1, iou_thr=None, area_rng="all", max_dets=100):
        aind = [i for i, a in enumerate(AREA_LBL) if a == area_rng]
        mind = [i for i, m in enumerate(MAX_DETS) if m == max_dets]
        if ap == 1:
            s = precision
            if iou_thr is not None:
                s = s[np.where(iou_thr == IOU_THRS)[0]]
            s = s[:, :, :, aind, mind]
        else:
            s = recall
            if iou_thr is not None:
                s = s[np.where(iou_thr == IOU_THRS)[0]]
            s = s[:, :, aind, mind]
        return -1 if len(s[s > -1]) == 0 else float(np.mean(s[s > -1]))

    stats = [summarize(1), summarize(1, iou_thr=.5, max_dets=MAX_DETS[2]), summarize(1, iou_thr=.75, max_dets=MAX_DETS[2]),
             summarize(1, area_rng="small", max_dets=MAX_DETS[2]), summarize(1, area_rng="medium", max_dets=MAX_DETS[2]),
             summarize(1, area_rng="large", max_dets=MAX_DETS[2]), summarize(0, max_dets=MAX_DETS[0]), summarize(0, max_dets=MAX_DETS[1]),
             summarize(0, max_dets=MAX_DETS[2]), summarize(0, area_rng="small", max_dets=MAX_DETS[2]),
             summarize(0, area_rng="medium", max_dets=MAX_DETS[2]), summarize(0, area_rng="large", max_dets=MAX_DETS[2])]
    return dict(stats=stats, precision=precision.ravel().tolist(), recall=recall.ravel().tolist())


# ---- maskApi.c -------------------------------------------------------------------------------------

def fr_poly(xy, h, w):
    """rleFrPoly: RLE counts of one polygon [x0, y0, x1, y1, ...] on an h x w image."""
    k = len(xy) // 2
    scale = 5.0
    x = [int(scale * xy[2 * j] + .5) for j in range(k)] + [0]
    y = [int(scale * xy[2 * j + 1] + .5) for j in range(k)] + [0]
    x[k], y[k] = x[0], y[0]
    u, v = [], []
    for j in range(k):
        xs, xe, ys, ye = x[j], x[j + 1], y[j], y[j + 1]
        dx, dy = abs(xe - xs), abs(ys - ye)
        flip = (dx >= dy and xs > xe) or (dx < dy and ys > ye)
        if flip:
            xs, xe = xe, xs
            ys, ye = ye, ys
        s = (ye - ys) / dx if dx >= dy else (xe - xs) / dy
        if dx >= dy:
            for d in range(dx + 1):
                t = dx - d if flip else d
                u.append(t + xs)
                v.append(int(ys + s * t + .5))
        else:
            for d in range(dy + 1):
                t = dy - d if flip else d
                v.append(t + ys)
                u.append(int(xs + s * t + .5))
    bx, by = [], []
    for j in range(1, len(u)):
        if u[j] != u[j - 1]:
            xd = float(u[j] if u[j] < u[j - 1] else u[j] - 1)
            xd = (xd + .5) / scale - .5
            if math.floor(xd) != xd or xd < 0 or xd > w - 1:
                continue
            yd = float(v[j] if v[j] < v[j - 1] else v[j - 1])
            yd = (yd + .5) / scale - .5
            if yd < 0:
                yd = 0
            elif yd > h:
                yd = h
            yd = math.ceil(yd)
            bx.append(int(xd))
            by.append(int(yd))
    a = [bx[j] * h + by[j] for j in range(len(bx))] + [h * w]
    a.sort()
    p = 0
    for j in range(len(a)):
        t = a[j]
        a[j] -= p
        p = t
    b = [a[0]]
    j = 1
    while j < len(a):
        if a[j] > 0:
            b.append(a[j])
            j += 1
        else:
            j += 1
            if j < len(a):
                b[-1] += a[j]
                j += 1
    return b


def fr_string(s):
    """rleFrString: the counts of a compressed RLE string."""
    cnts = []
    p = 0
    while p < len(s):
        x, k, more = 0, 0, 1
        while more:
            c = ord(s[p]) - 48
            x |= (c & 0x1f) << 5 * k
            more = c & 0x20
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << 5 * k
        if len(cnts) > 2:
            x += cnts[-2]
        cnts.append(x)
    return cnts


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("eval", "polygons", "strings"):
        sys.exit(__doc__)
    with open(sys.argv[2]) as f:
        data = json.load(f)
    if sys.argv[1] == "eval":
        out = evaluate(data)
    elif sys.argv[1] == "polygons":
        out = dict(counts=[fr_poly(p["xy"], p["height"], p["width"]) for p in data["polygons"]])
    else:
        out = dict(counts=[fr_string(s) for s in data["strings"]])
    with open(sys.argv[3], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
