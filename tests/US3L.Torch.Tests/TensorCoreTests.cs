namespace US3L.Torch.Tests;

public class TensorCoreTests
{
    [Fact]
    public void RoundTripsValuesShapeAndDtype()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(Device.CPU, t.device);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, t.ToArray<float>());
        Assert.Equal(21f, t.sum().item<float>());
    }

    [Fact]
    public void IntegralScalarsKeepIntegralDtype()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.arange(5);
        Assert.Equal(ScalarType.Int64, t.dtype);
        Assert.Equal(ScalarType.Int64, (t * 2).dtype);
        Assert.Equal(ScalarType.Float32, (t * 0.5).dtype);
        Assert.Equal(new long[] { 1, 0, -1, -2, -3 }, (1 - t).ToArray<long>());
    }

    [Fact]
    public void ToStringShowsShapeDtypeDeviceAndValues()
    {
        using var scope = torch.NewDisposeScope();
        var text = torch.arange(0, 10, 1, torch.float32).ToString();
        Assert.StartsWith("tensor([10], float32, cpu, values=[0, 1, 2, 3, 4, 5, ...]", text);
        Assert.Contains("max=9", text);
    }

    [Fact]
    public void DisposedTensorThrowsObjectDisposed()
    {
        var t = torch.ones(3);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.sum());
    }

    [Fact]
    public void ShapeMismatchNamesTheOpAndShapes()
    {
        using var scope = torch.NewDisposeScope();
        var ex = Assert.Throws<TorchException>(() => torch.ones(2, 3) + torch.ones(4, 5));
        Assert.Contains("add([2, 3] float32 cpu, [4, 5] float32 cpu)", ex.Message);
    }

    [Fact]
    public void ThreadsDefaultToTheCoreCount()
    {
        if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
            Assert.Equal(Environment.ProcessorCount, torch.get_num_threads());
    }
}
