namespace US3L.Torch.Tests;

/// <summary>Value and shape assertions over tensors, for the op tests.</summary>
public static class TensorAssert
{
    /// <summary>Asserts the shape and the float64 values (row-major), entry by entry within tol.</summary>
    public static void Close(double[] expected, Tensor actual, long[]? shape = null, double tol = 1e-6)
    {
        if (shape is not null) Assert.Equal(shape, actual.shape);
        var values = actual.to(ScalarType.Float64).ToArray<double>();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) <= tol, $"element {i}: expected {expected[i]:G8}, got {values[i]:G8}");
    }

    /// <summary>Asserts equal shapes and values within tol (tol 0: exactly equal).</summary>
    public static void Close(Tensor expected, Tensor actual, double tol)
    {
        Assert.Equal(expected.shape, actual.shape);
        Close(expected.to(ScalarType.Float64).ToArray<double>(), actual, null, tol);
    }

    /// <summary>Asserts the shape and the exact int64 values (row-major).</summary>
    public static void Equal(long[] expected, Tensor actual, long[]? shape = null)
    {
        if (shape is not null) Assert.Equal(shape, actual.shape);
        Assert.Equal(expected, actual.to(ScalarType.Int64).ToArray<long>());
    }

    /// <summary>A float64 tensor from values and a shape.</summary>
    public static Tensor D(double[] values, params long[] shape) => torch.tensor(values, shape);

    /// <summary>Reproducible standard normal float64 inputs for gradient checks.</summary>
    public static Tensor Randn(int seed, params long[] shape)
    {
        using var g = new Generator(seed);
        return torch.randn(shape, torch.float64, generator: g);
    }
}
