namespace US3L.Detection;

/// <summary>
/// One annotated object as the COCO evaluation reads it: <see cref="Box"/> is COCO's (x, y, width,
/// height) in pixels, <see cref="Area"/> the annotation's area (which decides small/medium/large),
/// <see cref="Mask"/> the full-image mask. <see cref="Id"/> is unique within its dataset.
/// </summary>
public sealed record TruthObject(long Id, int Label, (double X, double Y, double W, double H) Box, double Area, bool IsCrowd, Rle Mask);

/// <summary>The ground truth of one image for the evaluation (science.md 10.4).</summary>
public sealed record ImageTruth(long ImageId, int Height, int Width, IReadOnlyList<TruthObject> Objects);
