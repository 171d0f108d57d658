using US3L.Torch.optim;

namespace US3L.Torch.Tests;

public class LrSchedulerTests
{
    private static (Tensor p, SGD opt) Make(double lr = 0.4)
    {
        var p = nn.Parameter.Create(torch.zeros(1));
        return (p, new SGD(new[] { p }, lr));
    }

    [Fact]
    public void CosineIsExactAtEveryEpoch()
    {
        var (p, opt) = Make();
        var sched = new CosineAnnealingLR(opt, T_max: 10);
        Assert.Equal(0.4, opt.param_groups[0].lr);
        for (var e = 1; e <= 12; e++)
        {
            sched.step();
            var expected = 0.4 * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(e, 10) / 10));
            Assert.Equal(expected, opt.param_groups[0].lr, 15);
        }
        Assert.Equal(0.2, Schedules.Cosine(0.4, 5, 10), 15);
        Assert.Equal(0.1, Schedules.Cosine(1.0, 10, 10, eta_min: 0.1), 15);
        p.Dispose();
    }

    [Fact]
    public void MultiStepDropsAtMilestones()
    {
        var (p, opt) = Make(1.0);
        var sched = new MultiStepLR(opt, new long[] { 6, 3 }, gamma: 0.1);
        var lrs = new List<double> { opt.param_groups[0].lr };
        for (var e = 0; e < 7; e++) { sched.step(); lrs.Add(opt.param_groups[0].lr); }
        var expected = new[] { 1.0, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01 };
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], lrs[i], 15);
        p.Dispose();
    }

    [Fact]
    public void WarmupThenCosine()
    {
        var (p, opt) = Make(1.0);
        var sched = new LinearWarmupCosineLR(opt, warmup_steps: 5, total_steps: 15, warmup_start_lr: 0.2, eta_min: 0.01);
        var lrs = new List<double> { opt.param_groups[0].lr };
        for (var t = 0; t < 15; t++) { sched.step(); lrs.Add(opt.param_groups[0].lr); }
        Assert.Equal(new[] { 0.2, 0.4, 0.6, 0.8, 1.0 }, lrs.Take(5).Select(v => Math.Round(v, 12)));
        Assert.Equal(1.0, lrs[5], 15);
        Assert.Equal(0.01 + 0.99 * 0.5, lrs[10], 15);
        Assert.Equal(0.01, lrs[15], 15);
        p.Dispose();
    }

    [Fact]
    public void EachGroupScalesItsOwnBaseRate()
    {
        var p = nn.Parameter.Create(torch.zeros(1));
        var q = nn.Parameter.Create(torch.zeros(1));
        var opt = new SGD(new[] { new ParamGroup(new[] { p }), new ParamGroup(new[] { q }, new() { ["lr"] = 0.01 }) }, lr: 0.1);
        var sched = new LambdaLR(opt, t => 1.0 / (t + 1));
        sched.step();
        Assert.Equal(new[] { 0.05, 0.005 }, sched.get_last_lr());
        Assert.Equal(0.01, opt.param_groups[1]["initial_lr"]);
        p.Dispose();
        q.Dispose();
    }

    [Fact]
    public void StateDictResumesAtTheSameStep()
    {
        var (p, opt) = Make();
        var sched = new CosineAnnealingLR(opt, T_max: 20, eta_min: 0.001);
        for (var i = 0; i < 7; i++) sched.step();
        var state = sched.state_dict();
        var (p2, opt2) = Make();
        var resumed = new CosineAnnealingLR(opt2, T_max: 20, eta_min: 0.001);
        resumed.load_state_dict(state);
        Assert.Equal(7, resumed.last_epoch);
        Assert.Equal(opt.param_groups[0].lr, opt2.param_groups[0].lr);
        sched.step();
        resumed.step();
        Assert.Equal(opt.param_groups[0].lr, opt2.param_groups[0].lr);
        Assert.Throws<ArgumentException>(() => resumed.load_state_dict(new Dictionary<string, double> { ["epoch"] = 1 }));
        p.Dispose();
        p2.Dispose();
    }
}
