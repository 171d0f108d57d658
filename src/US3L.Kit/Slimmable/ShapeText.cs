namespace US3L.Slimmable;

/// <summary>Shapes in error messages, written as PyTorch prints them: [2, 3, 32, 32].</summary>
internal static class ShapeText
{
    public static string Of(Torch.Tensor t) => Of(t.shape);

    public static string Of(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
