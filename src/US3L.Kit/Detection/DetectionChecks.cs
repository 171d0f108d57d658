using US3L.Torch;

namespace US3L.Detection;

/// <summary>Argument checks shared by the detection code; each error names the op, the argument and the shape.</summary>
internal static class DetectionChecks
{
    /// <summary>"[N, 4]" for error messages.</summary>
    public static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    /// <summary>Throws unless <paramref name="boxes"/> is [N, 4].</summary>
    public static void Boxes(Tensor boxes, string op, string name)
    {
        if (boxes.dim() != 2 || boxes.size(1) != 4)
            throw new ArgumentException($"{op}: {name} must be [N, 4] (x1, y1, x2, y2), got shape {Shape(boxes)}.", name);
    }
}
