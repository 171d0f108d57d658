namespace US3L.Training;

/// <summary>The learning rate of one iteration under the config's schedule (science 6.1, 3.6).</summary>
public static class LearningRate
{
    /// <summary>
    /// lr at batch <paramref name="batch"/> of <paramref name="batchesPerEpoch"/> in epoch
    /// <paramref name="epoch"/>. The per-epoch schedules ignore the batch (Cosine is the engine's
    /// <see cref="Torch.optim.CosineAnnealingLR"/> stepped per epoch); WarmupCosine follows the
    /// ViT reference's <c>adjust_learning_rate(optimizer, epoch + i / iters_per_epoch)</c>
    /// (main_moco_ofa_ddp.py): linear from 0 during the warm-up, then a half cosine to 0.
    /// </summary>
    public static double At(PretrainConfig c, int epoch, int batch, int batchesPerEpoch)
    {
        switch (c.LrSchedule)
        {
            case LrSchedule.Constant:
                return c.Lr;
            case LrSchedule.Cosine:
                return Torch.optim.Schedules.Cosine(c.Lr, epoch, c.Epochs);
            case LrSchedule.WarmupCosine:
                var t = epoch + (double)batch / Math.Max(1, batchesPerEpoch);
                if (t < c.WarmupEpochs) return c.Lr * t / c.WarmupEpochs;
                return c.Lr * 0.5 * (1 + Math.Cos(Math.PI * (t - c.WarmupEpochs) / (c.Epochs - c.WarmupEpochs)));
            default:
                throw new ArgumentOutOfRangeException(nameof(c), $"Unknown lr_schedule {c.LrSchedule}.");
        }
    }

    /// <summary>Whether the rate changes within an epoch, so it is set before every iteration.</summary>
    public static bool PerIteration(PretrainConfig c) => c.LrSchedule == LrSchedule.WarmupCosine;
}
