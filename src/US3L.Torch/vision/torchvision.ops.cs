using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>
/// torchvision's detection ops under their torchvision names, so detector code reads like
/// torchvision's. Boxes are (x1, y1, x2, y2) in pixels. RoIAlign and NMS are native CPU kernels of
/// the shim (src/native/detection.cpp); the box ops are tensor compositions. Every op is compared with
/// torchvision 0.14 on the same libtorch (science.md 10.1).
/// </summary>
public static class torchvision
{
    public static class ops
    {
        /// <summary>
        /// RoIAlign (Mask R-CNN): average of bilinear samples over each of output_size bins of every box.
        /// <paramref name="boxes"/> is [K, 5], rows (image index, x1, y1, x2, y2) in input-image pixels;
        /// <paramref name="spatial_scale"/> maps them onto <paramref name="input"/> [N, C, H, W] (e.g. 1/4
        /// for a stride-4 feature map). <paramref name="sampling_ratio"/> samples per bin side, or, when
        /// &lt;= 0, ceil(bin size) of them. <paramref name="aligned"/> shifts boxes by half a pixel so that
        /// samples fall on pixel centres (Detectron2); false is the original Mask R-CNN op, which also
        /// widens boxes below one feature pixel to one. Returns [K, C, oh, ow], differentiable in the
        /// input (not in the boxes). CUDA tensors are computed on the CPU and copied back.
        /// </summary>
        public static Tensor roi_align(Tensor input, Tensor boxes, IntPair output_size, double spatial_scale = 1.0,
            long sampling_ratio = -1, bool aligned = false)
        {
            var size = output_size.AtLeast(1, "roi_align", nameof(output_size));
            return NativeMethods.Wrap(NativeMethods.us3l_roi_align(input.Handle, boxes.Handle, spatial_scale, size.H, size.W,
                sampling_ratio, aligned ? 1 : 0));
        }

        /// <summary>RoIAlign with boxes given per image: <paramref name="boxes"/>[i] is [L_i, 4] for image i.</summary>
        public static Tensor roi_align(Tensor input, IReadOnlyList<Tensor> boxes, IntPair output_size, double spatial_scale = 1.0,
            long sampling_ratio = -1, bool aligned = false)
        {
            using var scope = torch.NewDisposeScope();
            var rois = convert_boxes_to_roi_format(boxes);
            return scope.MoveToOuter(roi_align(input, rois, output_size, spatial_scale, sampling_ratio, aligned));
        }

        /// <summary>Per-image boxes [L_i, 4] as one [sum L_i, 5] tensor whose first column is the image index.</summary>
        public static Tensor convert_boxes_to_roi_format(IReadOnlyList<Tensor> boxes)
        {
            if (boxes.Count == 0) throw new ArgumentException("convert_boxes_to_roi_format: need the boxes of at least one image.", nameof(boxes));
            for (var i = 0; i < boxes.Count; i++) RequireBoxes(boxes[i], "convert_boxes_to_roi_format", $"boxes[{i}]");
            using var scope = torch.NewDisposeScope();
            var ids = boxes.Select((b, i) => torch.full(new[] { b.size(0), 1L }, i, b.dtype, b.device)).ToList();
            var rois = torch.cat(new[] { torch.cat(ids), torch.cat(boxes) }, dim: 1);
            return scope.MoveToOuter(rois);
        }

        /// <summary>
        /// Greedy non-maximum suppression: the indices (int64) of the boxes kept, by decreasing score.
        /// A box is dropped when its IoU with a higher-scoring kept box exceeds <paramref name="iou_threshold"/>.
        /// </summary>
        public static Tensor nms(Tensor boxes, Tensor scores, double iou_threshold) =>
            NativeMethods.Wrap(NativeMethods.us3l_nms(boxes.Handle, scores.Handle, iou_threshold));

        /// <summary>
        /// NMS within each category <paramref name="idxs"/> [N] (boxes of different categories never
        /// suppress each other); indices of the kept boxes by decreasing score, as torchvision's
        /// batched_nms, including its two strategies (coordinate offsets up to 1000 boxes, class by class
        /// above) and therefore its order among equal scores.
        /// </summary>
        public static Tensor batched_nms(Tensor boxes, Tensor scores, Tensor idxs, double iou_threshold) =>
            NativeMethods.Wrap(NativeMethods.us3l_batched_nms(boxes.Handle, scores.Handle, idxs.Handle, iou_threshold));

        /// <summary>(x2 - x1) * (y2 - y1) of boxes [N, 4]; integer boxes give int64 (int32 stays int32).</summary>
        public static Tensor box_area(Tensor boxes)
        {
            RequireBoxes(boxes, "box_area", nameof(boxes));
            using var scope = torch.NewDisposeScope();
            var b = Upcast(boxes);
            var area = (b.select(1, 2) - b.select(1, 0)) * (b.select(1, 3) - b.select(1, 1));
            return scope.MoveToOuter(area);
        }

        /// <summary>Intersection over union of every pair: [N, M] for boxes [N, 4] and [M, 4].</summary>
        public static Tensor box_iou(Tensor boxes1, Tensor boxes2)
        {
            RequireBoxes(boxes1, "box_iou", nameof(boxes1));
            RequireBoxes(boxes2, "box_iou", nameof(boxes2));
            using var scope = torch.NewDisposeScope();
            var area1 = box_area(boxes1);
            var area2 = box_area(boxes2);
            var lt = torch.maximum(boxes1.narrow(1, 0, 2).unsqueeze(1), boxes2.narrow(1, 0, 2));
            var rb = torch.minimum(boxes1.narrow(1, 2, 2).unsqueeze(1), boxes2.narrow(1, 2, 2));
            var wh = Upcast(rb - lt).clamp_min(0);
            var inter = wh.select(2, 0) * wh.select(2, 1);
            var union = area1.unsqueeze(1) + area2 - inter;
            return scope.MoveToOuter(inter / union);
        }

        /// <summary>Boxes [..., 4] with x clamped to [0, width] and y to [0, height].</summary>
        public static Tensor clip_boxes_to_image(Tensor boxes, (long Height, long Width) size)
        {
            if (boxes.dim() < 1 || boxes.size(-1) != 4)
                throw new ArgumentException($"clip_boxes_to_image: boxes must be [..., 4], got shape {Tensor.ShapeString(boxes.shape)}.", nameof(boxes));
            using var scope = torch.NewDisposeScope();
            var last = boxes.dim() - 1;
            var x = boxes.slice(last, 0, 4, 2).clamp(0, size.Width);
            var y = boxes.slice(last, 1, 4, 2).clamp(0, size.Height);
            return scope.MoveToOuter(torch.stack(new[] { x, y }, dim: boxes.dim()).reshape(boxes.shape));
        }

        /// <summary>Indices (int64) of the boxes whose width and height are both at least <paramref name="min_size"/>.</summary>
        public static Tensor remove_small_boxes(Tensor boxes, double min_size)
        {
            RequireBoxes(boxes, "remove_small_boxes", nameof(boxes));
            using var scope = torch.NewDisposeScope();
            var w = boxes.select(1, 2) - boxes.select(1, 0);
            var h = boxes.select(1, 3) - boxes.select(1, 1);
            var keep = (w >= min_size) & (h >= min_size);
            return scope.MoveToOuter(keep.nonzero().view(-1));
        }

        /// <summary>torchvision's _upcast: float16/bfloat16 to float32, small integers to int32, guarding products against overflow.</summary>
        private static Tensor Upcast(Tensor t)
        {
            if (t.is_floating_point()) return t.dtype is ScalarType.Float32 or ScalarType.Float64 ? t : t.to(ScalarType.Float32);
            return t.dtype is ScalarType.Int32 or ScalarType.Int64 ? t : t.to(ScalarType.Int32);
        }

        private static void RequireBoxes(Tensor boxes, string op, string name)
        {
            if (boxes.dim() != 2 || boxes.size(1) != 4)
                throw new ArgumentException($"{op}: {name} must be [N, 4] (x1, y1, x2, y2), got shape {Tensor.ShapeString(boxes.shape)}.", name);
        }
    }
}
