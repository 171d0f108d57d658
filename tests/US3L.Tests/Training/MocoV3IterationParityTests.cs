using System.Diagnostics;
using System.Text.Json;
using US3L.Config;
using US3L.Methods;
using US3L.Models;
using US3L.Sampling;
using US3L.Tests.Data;
using US3L.Torch.Serialization;
using US3L.Training;
using Xunit.Abstractions;

namespace US3L.Tests.Training;

/// <summary>
/// Whole-iteration parity of MoCo v3 US3L on the US-ViT with the reference's ViT script (science.md
/// 3.6). The kit's step is <see cref="WidthLoop.Run"/> as <see cref="TrainingSetup"/> builds it from the
/// recipe fashion-mnist-vit-us3l-mocov3 (MoCo v3 heads, predictor_new copied from the predictor, EMA
/// teacher with the cosine momentum, AdamW with weight decay, the warm-up-cosine rate set per
/// iteration) on a smaller US-ViT (<see cref="Size"/>); a second arm turns on the script's
/// --group-regularizer. The reference is reference/mocov3_iteration.py, a transcription of
/// ViT_experiments' moco/builder.py (MoCo_USViT) and main_moco_ofa_ddp.py (train, GroupRegularizer,
/// adjust_learning_rate, adjust_moco_momentum, the AdamW of main_worker) running the US-ViT of
/// reference/us_vit_parity.py. Both start from the same online and teacher weights and run the first
/// four iterations of a run on the same two views at the same widths, in float64 (see
/// <see cref="IterationParityTests"/> for why not float32). After every iteration the rate, the EMA
/// momentum, each per-width loss (and regularizer value), online parameter (backbone, projector,
/// predictor, predictor_new) and teacher parameter agree within 1e-5.
/// <para>
/// The run has 2 iterations per epoch, 3 epochs and 1 warm-up epoch, so the four iterations sit at
/// t = 0, 0.5, 1, 1.5 epochs: rate 0 (the moments still accumulate), half the rate in the warm-up,
/// the full rate where the cosine starts, and ½(1 + cos(π/4)) ≈ 0.85 of it on the cosine; at t = 0,
/// 0.5 and 1.5 the other branch's formula gives another rate. m₀ = 0.5 and the large rate (AdamW moves every
/// weight by about 1e-2 a step) make the momentum schedule and the weight decay move the weights by
/// far more than the tolerance; the teacher starts apart from the online network (whose backbone is
/// randomized, LayerNorms and biases included, as in <see cref="Models.ViTParityTests"/>), so the EMA
/// step of the first iteration counts too.
/// </para>
/// <para>
/// Measured: losses, rates, momenta and regularizer values within 1e-14; parameters within 1e-14
/// but for the final LayerNorm's bias, within 5e-10 (and the teacher's copy of it, 1e-10) when
/// weight decay replaces the group regularizer. That bias has an exact gradient of 0 (the projector's
/// first Linear feeds a BatchNorm, which removes any shift of its input), so each side's gradient is
/// round-off near 1e-15, which AdamW divides by √v + ε ≈ 1e-8; under the group regularizer its
/// gradient 2λb is real.
/// </para>
/// </summary>
[Collection(SeededTrainingCollection.Name)]
public class MocoV3IterationParityTests(MocoV3IterationParityTests.ReferenceRuns runs, ITestOutputHelper output)
    : IClassFixture<MocoV3IterationParityTests.ReferenceRuns>
{
    private const double Tolerance = 1e-5;
    private const int Batch = 8;

    /// <summary>(epoch, batch) of each iteration: the first four of the run.</summary>
    private static readonly (int Epoch, int Batch)[] Positions = { (0, 0), (0, 1), (1, 0), (1, 1) };

    /// <summary>[max, random, min] per iteration, as generate_widths_train sorts them; the sampler is not under test.</summary>
    private static readonly double[][] Widths =
        { new[] { 1.0, 0.6, 0.25 }, new[] { 1.0, 0.8, 0.3 }, new[] { 1.0, 0.45, 0.35 }, new[] { 1.0, 0.7, 0.25 } };

    /// <summary>
    /// The US-ViT-mini's block (D/heads = 16 instead of 32) at a size that runs in seconds: patch 8 on
    /// the 32×32 synthetic images (16 tokens and the class token), D = 64, 2 blocks, 4 heads.
    /// </summary>
    private static readonly ViTSize Size = new(8, 64, 2, 4);

    private static readonly string[] ArmNames = { "mocov3-us-vit", "mocov3-us-vit-group-reg" };

    public static TheoryData<string> Arms => new(ArmNames);

    [Theory]
    [MemberData(nameof(Arms))]
    public void FourIterationsMatchTheReferenceTranscription(string name)
    {
        var run = runs.Get(name);
        var (setup, c) = (run.Setup, run.Setup.Config);
        var perEpoch = setup.Loader.BatchesPerEpoch;
        Assert.Equal(2, perEpoch);
        var worst = new Dictionary<string, double>();
        output.WriteLine($"set-up {runs.SetupSeconds:F1} s, reference (all arms) {runs.ReferenceSeconds:F1} s");
        var clock = Stopwatch.StartNew();
        for (var k = 0; k < Positions.Length; k++)
        {
            using var scope = torch.NewDisposeScope();
            // As the Pretrainer: the rate of this iteration, and the regularizer's epoch.
            var (epoch, batch) = Positions[k];
            var lr = LearningRate.At(c, epoch, batch, perEpoch);
            foreach (var group in setup.Optimizer.param_groups) group.lr = lr;
            setup.Regularizer?.SetEpoch(epoch);
            var records = setup.Loop.Run(run.Views, Widths[k], epoch, k, monitor: false);

            var e = run.Expected;
            var errors = new List<(string Quantity, double Error, string Where)>
            {
                ("lr", Math.Abs(lr - e[$"{k}/lr"].item<double>()), "the iteration's rate"),
                ("m", Math.Abs(setup.Teacher!.LastMomentum - e[$"{k}/moco_m"].item<double>()), "the iteration's EMA momentum"),
                ("loss", IterationParityTests.MaxDiff(records.Select(r => r.Loss), e[$"{k}/loss"]), "per-width losses"),
                IterationParityTests.Compare("online", setup.Network.named_parameters(), e, $"{k}/online/"),
                IterationParityTests.Compare("teacher", Teacher(setup), e, $"{k}/teacher/"),
            };
            if (setup.Regularizer is not null)
            {
                // The reference sums over every parameter of the model, so its value also holds the frozen
                // patch embedding and position table, a constant without gradient; the kit leaves them out.
                using var trainableShare = e[$"{k}/reg"] - e[$"{k}/reg_frozen"];
                errors.Add(("reg", IterationParityTests.MaxDiff(records.Select(r => r.Regularization), trainableShare), "per-width values"));
            }
            output.WriteLine($"{name} iteration {k} (lr {lr:G4}, m {setup.Teacher!.LastMomentum:G4}): " +
                             string.Join(", ", errors.Select(x => $"{x.Quantity} {x.Error:E2}" + (x.Quantity is "online" or "teacher" ? $" ({x.Where})" : ""))));
            foreach (var (quantity, error, where) in errors)
            {
                worst[quantity] = Math.Max(worst.GetValueOrDefault(quantity), error);
                Assert.True(error <= Tolerance, $"{name}, iteration {k}: {quantity} differs from the reference by {error:E3} ({where}).");
            }
        }
        output.WriteLine($"{name} kit iterations {clock.Elapsed.TotalSeconds:F1} s; max over the iterations: " + string.Join(", ", worst.Select(x => $"{x.Key} {x.Value:E2}")));
    }

    private static IEnumerable<(string name, Tensor parameter)> Teacher(TrainingSetup setup) =>
        new[] { "backbone", "projector" }.SelectMany(part =>
            setup.Teacher!.Part(part).named_parameters().Select(p => ($"{part}.{p.name}", p.parameter)));

    /// <summary>
    /// The CPU recipe at test size: heads 64/32 (the reference has one hidden size for the projector
    /// and the predictor), a rate of 0.32·8/256 = 0.01 (the kit's lr is the rate after the script's
    /// scaling by batch/256), m₀ 0.5, 3 epochs of 2 iterations with 1 warm-up epoch.
    /// </summary>
    private static PretrainConfig Config(string name)
    {
        var c = RecipeLoader.Load("fashion-mnist-vit-us3l-mocov3") with
        {
            Dataset = "synthetic", Augmentation = "cifar", TrainSubset = 2 * Batch, BatchSize = Batch, KnnSubset = 16, KnnEvery = -1,
            MonitorEvery = 0, Epochs = 3, WarmupEpochs = 1, EmaMomentum = 0.5, Lr = BaseLr * Batch / 256, Sampler = SamplerKind.Sandwich,
            ProjectorHidden = 64, PredictorHidden = 64, ProjectorOut = 32, Seed = 7,
        };
        return name switch
        {
            "mocov3-us-vit" => c,
            // --group-regularizer (not used by run_ofa.sh): weight decay off, λ large enough to steer AdamW,
            // α reached at epoch E // 2 = 1, so iterations 0 and 1 use a uniform λ and iterations 2 and 3 the full profile.
            "mocov3-us-vit-group-reg" => c with
            {
                GroupReg = true, GroupRegLambda = 1e-2, GroupRegAlpha = 0.1, GroupRegBins = 8, GroupRegWarmupEpochs = 0,
            },
            _ => throw new ArgumentException($"Unknown arm {name}."),
        };
    }

    /// <summary>The script's --lr, before main_worker scales it by batch/256.</summary>
    private const double BaseLr = 0.32;

    /// <summary>The script's arguments for config <paramref name="c"/> (the names mocov3_iteration.py reads).</summary>
    private static Dictionary<string, object> Args(PretrainConfig c, USViT vit) => new()
    {
        ["img"] = vit.ImageSize, ["patch"] = vit.Size.Patch, ["in_chans"] = 3, ["embed_dim"] = vit.Size.Dim, ["depth"] = vit.Size.Depth,
        ["heads"] = vit.Size.Heads, ["stop_grad_conv1"] = true,
        ["moco_dim"] = c.ProjectorOut, ["moco_mlp_dim"] = c.ProjectorHidden, ["moco_t"] = c.Temperature, ["moco_m"] = c.EmaMomentum,
        ["moco_m_cos"] = true, ["optimizer"] = "adamw", ["lr"] = BaseLr, ["batch_size"] = c.BatchSize, ["weight_decay"] = c.WeightDecay,
        ["epochs"] = c.Epochs, ["warmup_epochs"] = c.WarmupEpochs,
        ["group_regularizer"] = c.GroupReg, ["reg_lambda"] = c.GroupRegLambda, ["reg_decay_type"] = "linear",
        ["reg_decay_alpha"] = c.GroupRegAlpha, ["reg_decay_bins"] = c.GroupRegBins, ["reg_warmup_epochs"] = c.GroupRegWarmupEpochs,
    };

    /// <summary>One arm ready to compare: the kit's setup (not yet trained), its views, and the reference's results.</summary>
    internal sealed record ArmRun(TrainingSetup Setup, ViewPair Views, IReadOnlyDictionary<string, Tensor> Expected);

    /// <summary>
    /// Every arm's setup and reference results, the reference run for all arms in one python process.
    /// Each kit setup is built, cast to float64 in place (so the optimizer, the regularizer and the EMA
    /// teacher keep holding the same parameter objects) and its online backbone randomized in place;
    /// its online and teacher weights and two views go to the reference.
    /// </summary>
    public sealed class ReferenceRuns : IDisposable
    {
        private readonly TempDirectory dir = new();
        private readonly Dictionary<string, ArmRun> arms = new();

        /// <summary>Seconds spent building the kit's setups, and running the reference.</summary>
        public double SetupSeconds { get; }
        public double ReferenceSeconds { get; }

        public ReferenceRuns()
        {
            var clock = Stopwatch.StartNew();
            var args = new List<string>();
            var prepared = new List<(string Name, TrainingSetup Setup, ViewPair Views, string Out)>();
            try
            {
                foreach (var name in ArmNames)
                {
                    var setup = new TrainingSetup(Config(name), o => new USViT("us_vit_parity", Size, 32, o));
                    setup.Network.to(ScalarType.Float64);
                    setup.Teacher!.to(ScalarType.Float64);
                    var vit = Assert.IsType<USViT>(setup.Network.Backbone);
                    using var g = new Generator(11);
                    RandomizeAllButThePositionTable(vit, g);
                    var shape = new long[] { Batch, 3, vit.ImageSize, vit.ImageSize };
                    var views = new ViewPair(torch.randn(shape, dtype: ScalarType.Float64, generator: g),
                        torch.randn(shape, dtype: ScalarType.Float64, generator: g));
                    var outPath = Path.Combine(dir.Path, $"{name}.reference.safetensors");
                    prepared.Add((name, setup, views, outPath));
                    args.Add(WriteCase(name, setup, vit, views));
                    args.Add(outPath);
                }
                SetupSeconds = clock.Elapsed.TotalSeconds;
                clock.Restart();
                RunReference(args);
                ReferenceSeconds = clock.Elapsed.TotalSeconds;
                foreach (var (name, setup, views, outPath) in prepared)
                    arms[name] = new ArmRun(setup, views, Safetensors.Load(outPath).tensors);
            }
            catch
            {
                foreach (var (_, setup, views, _) in prepared.Where(p => !arms.ContainsKey(p.Name)))
                {
                    setup.Dispose();
                    views.V1.Dispose();
                    views.V2.Dispose();
                }
                Dispose();
                throw;
            }
        }

        /// <summary>
        /// MoCo v3's init leaves biases at 0 and LayerNorms at (1, 0), which would hide a wrong bias or
        /// LayerNorm slice in the first iterations: every backbone parameter but the fixed sin-cos
        /// table gets random values (the teacher keeps the initial ones).
        /// </summary>
        private static void RandomizeAllButThePositionTable(USViT vit, Generator g)
        {
            using var _ = torch.no_grad();
            foreach (var (name, p) in vit.named_parameters())
            {
                if (name == "pos_embed") continue;
                using var noise = torch.randn(p.shape, dtype: ScalarType.Float64, generator: g);
                if (name.EndsWith("norm1.weight") || name.EndsWith("norm2.weight") || name == "norm.weight")
                    p.copy_(noise * 0.2 + 1);
                else
                    p.copy_(noise * (p.dim() == 2 ? 1 / Math.Sqrt(p.size(1)) : 0.1));
            }
        }

        /// <summary>The online weights but the auxiliary head (the reference copies the predictor), the teacher's, the views and the settings.</summary>
        private string WriteCase(string name, TrainingSetup setup, USViT vit, ViewPair views)
        {
            using var scope = torch.NewDisposeScope();
            var tensors = setup.Network.named_parameters().Where(p => !p.name.StartsWith("predictor_new.", StringComparison.Ordinal))
                .ToDictionary(p => p.name, p => p.parameter.detach());
            foreach (var (teacherName, parameter) in Teacher(setup)) tensors["teacher/" + teacherName] = parameter.detach();
            tensors["x1"] = views.V1;
            tensors["x2"] = views.V2;
            var config = new Dictionary<string, object>
            {
                ["args"] = Args(setup.Config, vit), ["iters_per_epoch"] = setup.Loader.BatchesPerEpoch,
                ["iterations"] = Positions.Select((p, k) => new Dictionary<string, object> { ["epoch"] = p.Epoch, ["i"] = p.Batch, ["widths"] = Widths[k] })
                    .ToArray(),
            };
            var path = Path.Combine(dir.Path, $"{name}.case.safetensors");
            Safetensors.Save(path, tensors, new Dictionary<string, string> { ["config"] = JsonSerializer.Serialize(config) });
            return path;
        }

        internal ArmRun Get(string name) => arms[name];

        private static void RunReference(IEnumerable<string> args)
        {
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "reference", "mocov3_iteration.py"));
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"mocov3_iteration.py failed ({p.ExitCode}): {stderr.Result}");
        }

        public void Dispose()
        {
            foreach (var run in arms.Values)
            {
                run.Setup.Dispose();
                run.Views.V1.Dispose();
                run.Views.V2.Dispose();
                foreach (var t in run.Expected.Values) t.Dispose();
            }
            dir.Dispose();
        }
    }
}
