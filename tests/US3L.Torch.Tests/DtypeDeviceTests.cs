namespace US3L.Torch.Tests;

public class DtypeDeviceTests
{
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.UInt8)]
    [InlineData(ScalarType.Bool)]
    public void ConvertsBetweenDtypesExactlyForSmallIntegers(ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var values = torch.tensor(new double[] { 0, 1, 0, 1, 1 });
        var converted = values.to(dtype);
        Assert.Equal(dtype, converted.dtype);
        Assert.Equal(new double[] { 0, 1, 0, 1, 1 }, converted.to(ScalarType.Float64).ToArray<double>());
    }

    [Fact]
    public void HalfValuesRoundTripThroughDotNetHalf()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(new[] { (Half)0.5f, (Half)(-2f), (Half)1024f });
        Assert.Equal(ScalarType.Float16, t.dtype);
        Assert.Equal(new[] { (Half)0.5f, (Half)(-2f), (Half)1024f }, t.ToArray<Half>());
        Assert.Equal(-1.5, t.sum().to(ScalarType.Float64).item<double>() - 1024, 3);
    }

    [Fact]
    public void ReadingWithTheWrongElementTypeSaysWhatToDo()
    {
        using var scope = torch.NewDisposeScope();
        var ex = Assert.Throws<InvalidOperationException>(() => torch.ones(2).ToArray<double>());
        Assert.Contains("needs a float64 tensor, got float32", ex.Message);
    }

    [Fact]
    public void ParsesDevicesAndDtypes()
    {
        Assert.Equal(Device.CPU, Device.Parse("cpu"));
        Assert.Equal(new Device(DeviceType.CUDA, 1), Device.Parse("cuda:1"));
        Assert.Equal("cuda:0", Device.Parse("cuda").ToString());
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
        Assert.Equal(ScalarType.BFloat16, ScalarTypes.Parse("bf16"));
        Assert.Throws<ArgumentException>(() => ScalarTypes.Parse("float8"));
    }

    [Fact]
    public void MovingToAnAbsentGpuIsAnErrorNotACrash()
    {
        if (torch.cuda.is_available()) return; // only meaningful on a CPU-only build or machine
        using var scope = torch.NewDisposeScope();
        var ex = Assert.Throws<TorchException>(() => torch.ones(2).to(Device.CUDA(0)));
        Assert.StartsWith("to([2] float32 cpu)", ex.Message);
    }

    [Fact]
    public void ThreadCountCanBeChangedAndRestored()
    {
        var before = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            Assert.Equal(1, torch.get_num_threads());
        }
        finally
        {
            torch.set_num_threads(before);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => torch.set_num_threads(0));
    }

    [Fact]
    public void ErrorMessagesAreKeptPerThread()
    {
        var messages = new string[4];
        Parallel.For(0, 4, i =>
        {
            using var scope = torch.NewDisposeScope();
            var ex = Assert.Throws<TorchException>(() => torch.ones(i + 1, 2) + torch.ones(7, 3));
            messages[i] = ex.Message;
        });
        for (var i = 0; i < 4; i++) Assert.StartsWith($"add([{i + 1}, 2] float32 cpu, [7, 3] float32 cpu)", messages[i]);
    }
}
