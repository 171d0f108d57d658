namespace US3L.Detection;

/// <summary>The train and validation sets a detection fine-tuning reads (science.md 10.2, 10.6).</summary>
public sealed record DetectData(DetectionDataset Train, DetectionDataset Val)
{
    /// <summary>
    /// <c>scenes</c>: the Fashion-MNIST scenes at the config's size with <paramref name="channels"/>
    /// channels, train and validation from different seeds (and different Fashion-MNIST splits);
    /// <c>coco:DIR</c>: DIR/annotations/instances_{train,val}2017.json over DIR/{train,val}2017, cut
    /// to the configured subsets.
    /// </summary>
    public static DetectData Load(DetectFinetuneConfig config, int channels)
    {
        if (!config.IsCoco)
        {
            var options = new FashionScenesOptions { CanvasSize = config.SceneSize, Channels = channels };
            return new DetectData(FashionScenes.Load(true, config.SceneTrain, config.Seed, options),
                FashionScenes.Load(false, config.SceneVal, config.Seed + 1, options));
        }
        var dir = config.CocoDir;
        var annotations = Path.Combine(dir, "annotations");
        CocoDataset Split(string split)
        {
            var file = Path.Combine(annotations, $"instances_{split}.json");
            if (!File.Exists(file))
                throw new FileNotFoundException($"COCO annotations not found: {file} (data-scripts/ downloads COCO 2017 into DIR/annotations and DIR/{split}).", file);
            return CocoDataset.Load(file, Path.Combine(dir, split));
        }
        return new DetectData(DetectionSubset.Of(Split("train2017"), config.CocoTrainSubset), DetectionSubset.Of(Split("val2017"), config.CocoValSubset));
    }
}
