namespace US3L.Tests.Slimmable;

/// <summary>Tensor comparisons for the slimmable tests (call inside a dispose scope).</summary>
internal static class SlimAssert
{
    public static double MaxAbs(Tensor t) => t.numel() == 0 ? 0 : t.abs().max().to(ScalarType.Float64).item<double>();

    public static void Close(Tensor expected, Tensor actual, double tol)
    {
        Assert.Equal(expected.shape, actual.shape);
        var diff = MaxAbs(expected - actual);
        Assert.True(diff <= tol, $"max |expected - actual| = {diff} > {tol}");
    }

    /// <summary>‖a − b‖ / ‖b‖ over all elements.</summary>
    public static double RelativeError(Tensor actual, Tensor reference) =>
        (actual - reference).norm().item<float>() / reference.norm().item<float>();
}
