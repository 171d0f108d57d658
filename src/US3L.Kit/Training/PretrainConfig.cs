namespace US3L.Training;

/// <summary>Which self-supervised objective trains the max-width (or the only) network.</summary>
public enum BaseLoss
{
    /// <summary>BYOL: predictor on the online branch, EMA targets, negative cosine (science 3.4, "base MSE").</summary>
    Byol,
    /// <summary>Momentum-SimCLR: NT-Xent between online outputs and EMA targets, no predictor (science 3.4, "base InfoNCE").</summary>
    SimClrMomentum,
    /// <summary>SimSiam: predictor, stop-gradient on the online network's own output, no teacher (science 2.1).</summary>
    SimSiam,
    /// <summary>Plain SimCLR: NT-Xent between the two online views (baseline).</summary>
    SimClr,
    /// <summary>MoCo v2: InfoNCE against a queue of EMA keys (baseline).</summary>
    MocoV2,
    /// <summary>MoCo v3: InfoNCE against the EMA keys of the batch (science 3.3 row 7).</summary>
    MocoV3,
}

/// <summary>Where the sub-networks' targets come from (guideline G1, science 3.2).</summary>
public enum TargetSource
{
    /// <summary>A full-width EMA teacher, run once per iteration (US3L).</summary>
    EmaTeacher,
    /// <summary>The online max-width network's detached output of the same iteration (US-Nets in-place distillation).</summary>
    OnlineMax,
}

/// <summary>When the EMA teacher moves (guideline G1, code flag MOMENTUM_UPDATE).</summary>
public enum EmaUpdate
{
    /// <summary>Once per iteration, before the teacher forward of the max-width step (US3L).</summary>
    OncePerIteration,
    /// <summary>After every width's optimizer step (MOMENTUM_UPDATE = true; the teacher drifts n times faster).</summary>
    EveryWidth,
}

/// <summary>The sub-networks' distillation criterion (guideline G2).</summary>
public enum DistillLoss
{
    /// <summary>Negative cosine to the teacher targets: no negatives (US3L).</summary>
    NegativeCosine,
    /// <summary>NT-Xent whose candidates include the students' own in-batch outputs (science 3.3 row 6).</summary>
    NtXentStudentNegatives,
    /// <summary>
    /// MoCo v3's InfoNCE, 2τ·CE against the teacher's keys of the batch: every candidate is a teacher
    /// key, none a student output (science 3.3 row 7, 3.6; the US-ViT's sub-network loss).
    /// </summary>
    InfoNce,
}

/// <summary>The head the sub-networks' outputs pass through (guideline G3).</summary>
public enum DistillHead
{
    /// <summary>An auxiliary head a_θ used only by sub-networks (US3L).</summary>
    Separate,
    /// <summary>The max network's predictor q_θ, shared (NEW_DISTILL_HEAD = false).</summary>
    Shared,
}

/// <summary>How optimizer steps relate to widths (science 3.4 vs US-Nets).</summary>
public enum Stepping
{
    /// <summary>One optimizer step after each width's backward (the reference code).</summary>
    PerWidth,
    /// <summary>Accumulate every width's gradient, then step once (US-Nets).</summary>
    Accumulate,
}

/// <summary>How the widths of one iteration are drawn (science 4).</summary>
public enum SamplerKind
{
    /// <summary>{max, min} plus n − 2 uniform widths, fixed range.</summary>
    Sandwich,
    /// <summary>n uniform widths; the largest drawn plays the max role.</summary>
    Uniform,
    /// <summary>The listed widths every iteration.</summary>
    Fixed,
    /// <summary>Dynamic sampling "A": the lower bound shrinks over four phases (science 4.2).</summary>
    DynamicA,
    /// <summary>
    /// The reference code's sandwich exactly as written: for n ≥ 4 it prepends [max, min] inside its
    /// sampling loop, so n = 4 trains six widths with two max and two min steps (quirk 7.3.4).
    /// </summary>
    SandwichReference,
}

/// <summary>How the learning rate moves over the epochs (science 6.1).</summary>
public enum LrSchedule
{
    /// <summary>lr_e = lr_0·½(1 + cos(πe/E)), stepped per epoch, no warm-up: every CNN config of the reference.</summary>
    Cosine,
    /// <summary>lr_0 throughout: no annealing inside a short run (the collapse experiments of science 8.3).</summary>
    Constant,
    /// <summary>
    /// Stepped per iteration at t = epoch + batch/batches: lr_0·t/W during the W = warmup_epochs
    /// warm-up, then lr_0·½(1 + cos(π(t − W)/(E − W))): the US-ViT's MoCo v3 schedule (science 3.6).
    /// </summary>
    WarmupCosine,
}

/// <summary>The optimizer of the online network (science 6.1, 3.6).</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum: every CNN config of the reference.</summary>
    Sgd,
    /// <summary>AdamW (decoupled weight decay, β = (0.9, 0.999)): the US-ViT's MoCo v3 config.</summary>
    AdamW,
}

/// <summary>How the EMA momentum m moves during training (science 3.4 step 1).</summary>
public enum EmaSchedule
{
    /// <summary>m throughout (the CNN configs).</summary>
    Constant,
    /// <summary>
    /// From m to 1 by a half cosine over the run's iterations, one step per iteration (MoCo v3's
    /// <c>--moco-m-cos</c>, the US-ViT config; science 3.6).
    /// </summary>
    Cosine,
}

/// <summary>
/// One pretraining run, flat and typed. Defaults are the paper's CIFAR US3L recipe ("base MSE",
/// science 6.2) except where a comment says otherwise; YAML recipes override fields by their
/// snake_case names. Every ablation of science 3.3 is a change of one or two fields.
/// </summary>
public sealed record PretrainConfig
{
    // ---- data (science 6.1, 8.1) ----------------------------------------------------------
    /// <summary>fashion-mnist, cifar10, cifar100, image-folder or synthetic.</summary>
    public string Dataset { get; init; } = "fashion-mnist";
    /// <summary>Dataset folder; empty means the dataset's default location.</summary>
    public string DataDir { get; init; } = "";
    /// <summary>Images used for SSL training; 0 means all (science 8.1 uses 10k-20k on CPU).</summary>
    public int TrainSubset { get; init; }
    /// <summary>Augmentation recipe name (science 6.1; fashion-mnist uses the grayscale variant of 8.1).</summary>
    public string Augmentation { get; init; } = "fashion-mnist";
    /// <summary>Drop the last incomplete batch (the BYOL/SimSiam CIFAR configs do, science 6.1).</summary>
    public bool DropLast { get; init; } = true;

    // ---- model (science 1, 3.4 heads) -----------------------------------------------------
    /// <summary>Backbone registry name.</summary>
    public string Arch { get; init; } = "us_resnet10_mini";
    /// <summary>Channel rounding divisor: 8 (science.md 1.2), or 4 for the fast mini model (science.md 8.1).</summary>
    public int Divisor { get; init; } = 8;
    /// <summary>Smallest trained width (WIDTH_MULT_RANGE, science 1.1).</summary>
    public double WidthMin { get; init; } = 0.25;
    /// <summary>Largest trained width.</summary>
    public double WidthMax { get; init; } = 1.0;
    /// <summary>Projector hidden size (2048 in the paper; 256 for the CPU recipes of science 8.1).</summary>
    public int ProjectorHidden { get; init; } = 2048;
    /// <summary>Projector output size: 2048 for BYOL, 256 for momentum-SimCLR (science 3.4).</summary>
    public int ProjectorOut { get; init; } = 2048;
    /// <summary>Predictor and auxiliary head hidden size.</summary>
    public int PredictorHidden { get; init; } = 2048;
    /// <summary>
    /// S-Net / DSPNet (science.md 6.9): the backbone keeps a private BN per width of
    /// <see cref="FixedWidths"/> and runs at those widths only. Needs sampler fixed.
    /// </summary>
    public bool SwitchableBn { get; init; }

    // ---- method (science 3.2-3.4; each field is one guideline switch) ---------------------
    public BaseLoss BaseLoss { get; init; } = BaseLoss.Byol;
    /// <summary>False trains each sub-network with its own base loss (DISTILL = false, science 3.3 rows 2 and 5).</summary>
    public bool Distill { get; init; } = true;
    public TargetSource TargetSource { get; init; } = TargetSource.EmaTeacher;
    public EmaUpdate EmaUpdate { get; init; } = EmaUpdate.OncePerIteration;
    /// <summary>EMA momentum m (0.99 for CNNs; science 8.1 suggests 0.98 for runs under 20 epochs; 0 = teacher equals online).</summary>
    public double EmaMomentum { get; init; } = 0.99;
    /// <summary>Constant m, or MoCo v3's cosine from m to 1 (science 3.6).</summary>
    public EmaSchedule EmaSchedule { get; init; } = EmaSchedule.Constant;
    public DistillLoss DistillLoss { get; init; } = DistillLoss.NegativeCosine;
    public DistillHead DistillHead { get; init; } = DistillHead.Separate;
    /// <summary>Weight λ_distill of the sub-networks' loss (science 3.4).</summary>
    public double DistillWeight { get; init; } = 1.0;
    /// <summary>
    /// Feature distillation (science.md 3.7; the reference's DISTILL_FEATURE): each distilled sub-network
    /// step also regresses its intermediate feature maps, through 1×1 adapters, on the EMA teacher's.
    /// Off in the paper's recipes.
    /// </summary>
    public bool FeatureDistill { get; init; }
    /// <summary>
    /// The backbone's US-BatchNorm layers whose outputs are distilled, by module path (DISTILL_FEATURE_NAME,
    /// e.g. layer2.1.bn2); empty means the reference's choice, bn2 of the last block of stages 2-4.
    /// </summary>
    public string[] FeatureDistillLayers { get; init; } = Array.Empty<string>();
    /// <summary>Weight of the feature loss (DISTILL_FEATURE_LAMBDA; λ_distill does not scale it).</summary>
    public double FeatureDistillWeight { get; init; } = 1.0;
    /// <summary>NT-Xent temperature τ (science 3.4).</summary>
    public double Temperature { get; init; } = 0.5;
    /// <summary>MoCo v2 queue length (baseline only).</summary>
    public int QueueSize { get; init; } = 4096;
    public Stepping Stepping { get; init; } = Stepping.PerWidth;

    // ---- widths (science 4) ---------------------------------------------------------------
    public SamplerKind Sampler { get; init; } = SamplerKind.DynamicA;
    /// <summary>Widths per iteration n (every US3L config uses 3).</summary>
    public int NumWidths { get; init; } = 3;
    /// <summary>The widths of the Fixed sampler, and the single width of an individually trained baseline.</summary>
    public double[] FixedWidths { get; init; } = { 1.0 };

    // ---- optimisation (science 5, 6.1) ----------------------------------------------------
    public int Epochs { get; init; } = 400;
    public int BatchSize { get; init; } = 512;
    /// <summary>Base learning rate, not rescaled with batch size (science 6.1).</summary>
    public double Lr { get; init; } = 0.05;
    /// <summary>Per-epoch cosine (the reference's CNNs), constant, or the ViT's per-iteration warm-up cosine.</summary>
    public LrSchedule LrSchedule { get; init; } = LrSchedule.Cosine;
    /// <summary>Warm-up epochs of <see cref="LrSchedule.WarmupCosine"/> (40 of 300 for the US-ViT, science 3.6).</summary>
    public int WarmupEpochs { get; init; }
    /// <summary>SGD with momentum (CNNs) or AdamW (US-ViT, science 3.6).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;
    public double Momentum { get; init; } = 0.9;
    /// <summary>Plain weight decay; set to 0 automatically when group regularization is on (science 5).</summary>
    public double WeightDecay { get; init; } = 5e-4;
    /// <summary>Group regularization replaces weight decay (science 5).</summary>
    public bool GroupReg { get; init; }
    public double GroupRegLambda { get; init; } = 2.5e-4;
    public double GroupRegAlpha { get; init; } = 0.05;
    public int GroupRegBins { get; init; } = 8;
    public int GroupRegWarmupEpochs { get; init; }

    // ---- run ------------------------------------------------------------------------------
    /// <summary>Seed of weights, data order, augmentation and widths (science 6.1 uses 100).</summary>
    public long Seed { get; init; }
    /// <summary>cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Run kNN per width every this many epochs (0 = only at the end; -1 = never).</summary>
    public int KnnEvery { get; init; } = 1;
    /// <summary>Images of the kNN bank and queries used by the periodic monitor (0 = all).</summary>
    public int KnnSubset { get; init; } = 5000;
    /// <summary>Widths the monitors and evaluation report (science 8.1).</summary>
    public double[] EvalWidths { get; init; } = { 1.0, 0.75, 0.5, 0.25 };
    /// <summary>k of the weighted kNN monitor (science.md 8.1: k = 20 or 200, τ = 0.1).</summary>
    public int KnnK { get; init; } = 20;
    /// <summary>Batches of train images that recalibrate BN per width before the kNN monitor (science.md 6.3, kept cheap).</summary>
    public int KnnCalibrationBatches { get; init; } = 8;
    /// <summary>Write a per-iteration line to metrics.jsonl every this many iterations (science.md 8.1 monitors).</summary>
    public int LogEvery { get; init; } = 1;
    /// <summary>Log the collapse meters and the target drift (<see cref="TargetDrift"/>) every this many iterations (0 = never).</summary>
    public int MonitorEvery { get; init; } = 20;
    /// <summary>Save a checkpoint every this many epochs (and always at the end or on interrupt; 0 = only then).</summary>
    public int CheckpointEvery { get; init; } = 1;
}
