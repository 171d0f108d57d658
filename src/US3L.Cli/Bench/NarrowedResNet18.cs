using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Cli.Bench;

/// <summary>
/// The CIFAR ResNet-18 of the engine benchmark, written with functional ops: a width-w network
/// is the full network's weights narrowed to their first C(w) channels, exactly what a
/// slimmable network does. Mirrors Bench/engine_bench_pytorch.py line by line.
/// </summary>
internal sealed class NarrowedResNet18 : IDisposable
{
    private static readonly (int Channels, int Stride)[] Stages = { (64, 1), (128, 2), (256, 2), (512, 2) };

    private readonly Dictionary<string, Tensor> parameters = new();

    public NarrowedResNet18(Generator generator, Device device)
    {
        void Conv(string name, int cout, int cin, int k) =>
            Add(name, torch.randn(new long[] { cout, cin, k, k }, generator: generator) * Math.Sqrt(2.0 / (cin * k * k)), device);
        void Bn(string name, int c)
        {
            Add(name + ".weight", torch.ones(c), device);
            Add(name + ".bias", torch.zeros(c), device);
        }

        Conv("conv1", 64, 3, 3);
        Bn("bn1", 64);
        var cin = 64;
        for (var s = 0; s < Stages.Length; s++)
        {
            var (c, stride) = Stages[s];
            for (var b = 0; b < 2; b++)
            {
                var pre = $"layer{s + 1}.{b}";
                Conv(pre + ".conv1", c, b == 0 ? cin : c, 3);
                Bn(pre + ".bn1", c);
                Conv(pre + ".conv2", c, c, 3);
                Bn(pre + ".bn2", c);
                if (b == 0 && (stride != 1 || cin != c))
                {
                    Conv(pre + ".downsample.0", c, cin, 1);
                    Bn(pre + ".downsample.1", c);
                }
            }
            cin = c;
        }
        Add("fc.weight", torch.randn(new long[] { 10, 512 }, generator: generator) * 0.01, device);
        Add("fc.bias", torch.zeros(10), device);
    }

    public IEnumerable<Tensor> Parameters => parameters.Values;

    private void Add(string name, Tensor value, Device device)
    {
        var leaf = value.to(device).detach().DetachFromDisposeScope().requires_grad_(true);
        value.Dispose();
        parameters[name] = leaf;
    }

    /// <summary>science.md 1.2: nearest multiple of 8, never more than 10 % below the exact value.</summary>
    internal static int Channels(int full, double width)
    {
        var v = full * width;
        var r = Math.Max(8, (int)(v + 4) / 8 * 8);
        return r < 0.9 * v ? r + 8 : r;
    }

    /// <summary>Class logits [B, 10] of the network at the given width.</summary>
    public Tensor Forward(Tensor x, double width)
    {
        Tensor Conv(string name, Tensor h, int cinFull, int coutFull, int stride, int pad, bool slimIn = true)
        {
            var cout = Channels(coutFull, width);
            var cin = slimIn ? Channels(cinFull, width) : cinFull;
            var w = parameters[name].narrow(0, 0, cout).narrow(1, 0, cin);
            return F.conv2d(h, w, null, stride, pad);
        }

        Tensor Bn(string name, Tensor h)
        {
            var c = h.size(1);
            return F.batch_norm(h, null, null, parameters[name + ".weight"].narrow(0, 0, c), parameters[name + ".bias"].narrow(0, 0, c),
                training: true, momentum: 0.1, eps: 1e-5);
        }

        var hidden = F.relu(Bn("bn1", Conv("conv1", x, 3, 64, 1, 1, slimIn: false)));
        var cinStage = 64;
        for (var s = 0; s < Stages.Length; s++)
        {
            var (c, stride) = Stages[s];
            for (var b = 0; b < 2; b++)
            {
                var pre = $"layer{s + 1}.{b}";
                var st = b == 0 ? stride : 1;
                var ci = b == 0 ? cinStage : c;
                var output = F.relu(Bn(pre + ".bn1", Conv(pre + ".conv1", hidden, ci, c, st, 1)));
                output = Bn(pre + ".bn2", Conv(pre + ".conv2", output, c, c, 1, 1));
                var shortcut = parameters.ContainsKey(pre + ".downsample.0")
                    ? Bn(pre + ".downsample.1", Conv(pre + ".downsample.0", hidden, ci, c, st, 0))
                    : hidden;
                hidden = F.relu(output + shortcut);
            }
            cinStage = c;
        }
        var pooled = F.adaptive_avg_pool2d(hidden, 1).flatten(1);
        var features = pooled.size(1);
        return F.linear(pooled, parameters["fc.weight"].narrow(1, 0, features), parameters["fc.bias"]);
    }

    /// <summary>Multiply-accumulates of one forward pass of one 32x32 image at this width.</summary>
    public static double ForwardMacs(double width)
    {
        double macs = 0;
        int hw = 32;
        void Conv(int cin, int cout, int k, int outHw) => macs += (double)cin * cout * k * k * outHw * outHw;
        var c1 = Channels(64, width);
        Conv(3, c1, 3, hw);
        var cin = c1;
        for (var s = 0; s < Stages.Length; s++)
        {
            var c = Channels(Stages[s].Channels, width);
            for (var b = 0; b < 2; b++)
            {
                var st = b == 0 ? Stages[s].Stride : 1;
                var outHw = hw / st;
                Conv(b == 0 ? cin : c, c, 3, outHw);
                Conv(c, c, 3, outHw);
                if (b == 0 && (st != 1 || cin != c)) Conv(cin, c, 1, outHw);
                hw = outHw;
            }
            cin = c;
        }
        return macs + cin * 10.0;
    }

    public void Dispose()
    {
        foreach (var p in parameters.Values) p.Dispose();
        parameters.Clear();
    }
}
