using US3L.Teacher;
using US3L.Torch.nn;

namespace US3L.Tests.Teacher;

public class EmaTeacherTests
{
    /// <summary>Linear → BN1d: parameters and BN running buffers, like a projector.</summary>
    private sealed class Head : Module
    {
        public Head()
        {
            register_module("fc", new Linear(3, 4));
            register_module("bn", new BatchNorm1d(4));
        }
    }

    private static Head RandomHead(long seed)
    {
        var head = new Head();
        head.to(ScalarType.Float64);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var g = new Generator(seed);
        foreach (var t in head.parameters().Concat(head.buffers().Where(b => b.is_floating_point())))
            t.copy_(torch.randn(t.shape, torch.float64, generator: g));
        return head;
    }

    private static double[] Values(Module m) => m.parameters().SelectMany(p => p.detach().ToArray<double>()).ToArray();

    private static double[] BufferValues(Module m) =>
        m.buffers().Where(b => b.is_floating_point()).SelectMany(b => b.ToArray<double>()).ToArray();

    [Fact]
    public void Construction_copies_parameters_and_buffers_and_freezes_the_teacher()
    {
        using var online = RandomHead(1);
        using var ema = new EmaTeacher(new ConstantMomentum(), new EmaPart("projector", online, RandomHead(2)));
        var teacher = ema.Part("projector");
        Assert.Equal(Values(online), Values(teacher));
        Assert.Equal(BufferValues(online), BufferValues(teacher));
        Assert.All(teacher.parameters(), p => Assert.False(p.requires_grad));
        Assert.All(online.parameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(0, ema.NumUpdates);
        Assert.True(double.IsNaN(ema.LastDrift));
    }

    [Fact]
    public void Update_is_m_phi_plus_one_minus_m_theta_exactly()
    {
        using var online = RandomHead(1);
        using var ema = new EmaTeacher(new ConstantMomentum(0.9), new EmaPart("projector", online, new Head().to(ScalarType.Float64)));
        var teacher = ema.Part("projector");
        ChangeOnline(online, 3);
        var (phi, theta) = (Values(teacher), Values(online));
        ema.Update();
        var expected = phi.Zip(theta, (f, t) => f * 0.9 + t * (1 - 0.9)).ToArray();
        // libtorch may fuse the multiply-add, so allow the last bit.
        var actual = Values(teacher);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-15);
        Assert.Equal(1, ema.NumUpdates);
        Assert.Equal(0.9, ema.LastMomentum);
        var drift = Math.Sqrt(expected.Zip(phi, (a, b) => (a - b) * (a - b)).Sum());
        Assert.Equal(drift, ema.LastDrift, 12);
    }

    [Fact]
    public void Momentum_zero_makes_the_teacher_the_online_network()
    {
        using var online = RandomHead(1);
        using var ema = new EmaTeacher(new ConstantMomentum(0), new EmaPart("projector", online, new Head().to(ScalarType.Float64)));
        ChangeOnline(online, 4);
        ema.Update();
        Assert.Equal(Values(online), Values(ema.Part("projector")));
    }

    [Fact]
    public void Buffers_are_not_averaged()
    {
        using var online = RandomHead(1);
        using var ema = new EmaTeacher(new ConstantMomentum(0.5), new EmaPart("projector", online, new Head().to(ScalarType.Float64)));
        var before = BufferValues(ema.Part("projector"));
        using (torch.no_grad())
            foreach (var b in online.buffers().Where(b => b.is_floating_point())) b.add_(10.0);
        ema.Update();
        Assert.Equal(before, BufferValues(ema.Part("projector")));
    }

    [Fact]
    public void Several_parts_are_updated_and_named_in_the_state_dict()
    {
        using var backbone = RandomHead(1);
        using var projector = RandomHead(2);
        using var ema = new EmaTeacher(new ConstantMomentum(0.5),
            new EmaPart("backbone", backbone, new Head().to(ScalarType.Float64)),
            new EmaPart("projector", projector, new Head().to(ScalarType.Float64)));
        ChangeOnline(backbone, 7);
        ema.Update();
        using var scope = torch.NewDisposeScope();
        var keys = ema.state_dict().Keys.ToList();
        Assert.Contains("backbone.fc.weight", keys);
        Assert.Contains("projector.bn.running_var", keys);
        Assert.Contains("num_updates", keys);
        Assert.NotEqual(Values(backbone), Values(ema.Part("backbone")));
        Assert.Equal(Values(projector), Values(ema.Part("projector")));
    }

    [Fact]
    public void State_dict_restores_weights_and_the_update_count()
    {
        using var online = RandomHead(1);
        using var ema = new EmaTeacher(new CosineMomentum(0.99, 10), new EmaPart("projector", online, new Head().to(ScalarType.Float64)));
        for (var i = 0; i < 3; i++)
        {
            ChangeOnline(online, 10 + i);
            ema.Update();
        }
        using var scope = torch.NewDisposeScope();
        var state = ema.state_dict();
        using var restored = new EmaTeacher(new CosineMomentum(0.99, 10), new EmaPart("projector", RandomHead(5), new Head().to(ScalarType.Float64)));
        restored.load_state_dict(state);
        Assert.Equal(3, restored.NumUpdates);
        Assert.Equal(Values(ema.Part("projector")), Values(restored.Part("projector")));
    }

    [Fact]
    public void Teacher_parameters_are_separate_tensors_from_the_online_ones()
    {
        using var online = RandomHead(1);
        using var ema = new EmaTeacher(new ConstantMomentum(), new EmaPart("projector", online, new Head().to(ScalarType.Float64)));
        var onlineSet = online.parameters().ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.DoesNotContain(ema.parameters(), p => onlineSet.Contains(p));
    }

    [Fact]
    public void Mismatched_architectures_are_rejected_by_name()
    {
        using var online = RandomHead(1);
        using var other = new Linear(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => new EmaTeacher(new ConstantMomentum(), new EmaPart("projector", online, other)));
        Assert.Contains("fc.weight", ex.Message);
        Assert.Throws<ArgumentException>(() => new EmaTeacher(new ConstantMomentum(), new EmaPart("projector", online, online)));
    }

    [Fact]
    public void Cosine_momentum_goes_from_m0_to_one()
    {
        var schedule = new CosineMomentum(0.99, 100);
        Assert.Equal(0.99, schedule.At(0), 15);
        Assert.Equal(1 - 0.01 * (1 + Math.Cos(Math.PI * 0.25)) / 2, schedule.At(25), 15);
        Assert.Equal(0.995, schedule.At(50), 15);
        Assert.Equal(1.0, schedule.At(100), 15);
        Assert.Equal(1.0, schedule.At(150), 15);
        Assert.Equal(0.99, new ConstantMomentum().At(12345));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantMomentum(1.5).At(0));
    }

    [Fact]
    public void Scheduled_update_uses_the_momentum_of_the_update_count()
    {
        using var online = RandomHead(1);
        using var ema = new EmaTeacher(new CosineMomentum(0.9, 4), new EmaPart("projector", online, new Head().to(ScalarType.Float64)));
        var seen = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            ema.Update();
            seen.Add(ema.LastMomentum);
        }
        var schedule = new CosineMomentum(0.9, 4);
        Assert.Equal(Enumerable.Range(0, 5).Select(t => schedule.At(t)), seen);
    }

    private static void ChangeOnline(Module online, long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var g = new Generator(seed);
        foreach (var p in online.parameters()) p.add_(torch.randn(p.shape, torch.float64, generator: g));
    }
}
