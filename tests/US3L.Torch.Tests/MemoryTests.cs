namespace US3L.Torch.Tests;

// Live-handle counts are process-wide, so these tests must not run beside other tests.
[Collection(nameof(MemoryCollection))]
public class MemoryTests
{
    [Fact]
    public void TenThousandScopedIterationsReturnToBaseline()
    {
        using var weights = torch.randn(64, 64).DetachFromDisposeScope();
        RunIterations(weights, 200); // warm caches and allocator pools first
        CollectUnreachable();
        var baselineHandles = torch.live_tensor_count();
        var baselineRss = ResidentBytes();

        RunIterations(weights, 10_000);
        CollectUnreachable();

        Assert.Equal(baselineHandles, torch.live_tensor_count());
        var growth = ResidentBytes() - baselineRss;
        // 10,000 leaked iterations would hold several GB; allow allocator noise only.
        Assert.True(growth < 32L << 20, $"resident memory grew by {growth >> 20} MiB");
    }

    [Fact]
    public void ScopeDisposesTemporariesButKeepsMovedTensors()
    {
        var before = torch.live_tensor_count();
        Tensor kept;
        using (var scope = torch.NewDisposeScope())
        {
            var a = torch.ones(4);
            var b = a * 2 + 1;
            kept = scope.MoveToOuter(b.exp());
            Assert.Equal(before + 4, torch.live_tensor_count());
        }
        Assert.Equal(before + 1, torch.live_tensor_count());
        Assert.False(kept.IsDisposed);
        kept.Dispose();
        Assert.Equal(before, torch.live_tensor_count());
    }

    [Fact]
    public void NestedScopesFreeInnerTensorsFirst()
    {
        var before = torch.live_tensor_count();
        using (var outer = torch.NewDisposeScope())
        {
            var x = torch.zeros(3);
            using (var inner = torch.NewDisposeScope())
            {
                var y = x + 1;
                inner.MoveToOuter(y);
                _ = y * 3;
            }
            Assert.Equal(before + 2, torch.live_tensor_count());
        }
        Assert.Equal(before, torch.live_tensor_count());
    }

    private static void RunIterations(Tensor weights, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.randn(new long[] { 8, 64 }, requires_grad: true);
            var h = (x.reshape(8, 64, 1) * weights.reshape(1, 64, 64)).sum(1).tanh();
            var loss = (h * h).mean();
            loss.backward();
            _ = x.grad!.abs().sum().item<float>();
        }
    }

    // Tensors that other tests left to their finalizers would otherwise be freed mid-measurement.
    private static void CollectUnreachable()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }
}

[CollectionDefinition(nameof(MemoryCollection), DisableParallelization = true)]
public class MemoryCollection;
