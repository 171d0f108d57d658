using US3L.Augmentation;

namespace US3L.Tests.Augmentation;

/// <summary>Compose, OneOf, TwoViews, recipes: determinism, ranges, shapes, errors.</summary>
public class PipelineTests
{
    [Fact]
    public void The_same_generator_state_gives_identical_views()
    {
        using var scope = torch.NewDisposeScope();
        var images = Images.RandomBytes(16, 3, 32, 32);
        var views = AugmentationRecipes.Get("imagenet", 32).TwoViews();
        using var g1 = new Generator(100);
        using var g2 = new Generator(100);
        var (a1, a2) = views.Apply(images, g1);
        var (b1, b2) = views.Apply(images, g2);
        Images.Identical(a1, b1);
        Images.Identical(a2, b2);
        Assert.True(Images.MaxAbsDiff(a1, a2) > 0.1);

        // Saving and restoring the state replays the next batch exactly.
        var state = g1.get_state();
        var (c1, _) = views.Apply(images, g1);
        g1.set_state(state);
        var (d1, _) = views.Apply(images, g1);
        Images.Identical(c1, d1);
        Assert.True(Images.MaxAbsDiff(a1, c1) > 0.1);
    }

    [Fact]
    public void Uint8_and_float_inputs_give_the_same_result()
    {
        using var scope = torch.NewDisposeScope();
        var bytes = Images.RandomBytes(8, 3, 32, 32);
        var pipeline = AugmentationRecipes.Get("cifar").View1;
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        Images.Close(pipeline.Apply(bytes, g1), pipeline.Apply(bytes.to(ScalarType.Float64) / 255.0, g2), 1e-5);
    }

    [Fact]
    public void Pipelines_without_normalization_stay_in_the_unit_interval()
    {
        using var scope = torch.NewDisposeScope();
        var images = Images.RandomBytes(32, 3, 24, 24);
        var pipeline = new Compose(
            new RandomResizedCrop(20, scale: (0.08, 1), interpolation: Interpolation.Bicubic),
            new ColorJitter(0.8, 0.8, 0.8, 0.4, p: 0.8), new RandomGrayscale(0.2), new GaussianBlur(5, p: 0.5),
            new Solarize(p: 0.3), new HorizontalFlip(), new GaussianNoise(p: 0.5));
        using var g = new Generator(4);
        var y = pipeline.Apply(images, g);
        Assert.Equal(new long[] { 32, 3, 20, 20 }, y.shape);
        Assert.True(y.min().item<float>() >= 0 && y.max().item<float>() <= 1);
    }

    [Fact]
    public void Identity_parameters_compose_to_the_identity()
    {
        using var scope = torch.NewDisposeScope();
        var images = Images.RandomBytes(4, 3, 16, 16);
        var pipeline = new Compose(
            new RandomResizedCrop(16, scale: (1, 1), ratio: (1, 1)), new ColorJitter(0, 0, 0, 0, p: 1), new RandomGrayscale(0),
            new GaussianBlur(3, p: 0), new Solarize(p: 0), new HorizontalFlip(0), new Normalize(new[] { 0.0, 0, 0 }, new[] { 1.0, 1, 1 }));
        using var g = new Generator(0);
        Images.Close(images.to(ScalarType.Float32) / 255.0, pipeline.Apply(images, g), 1e-6);
    }

    [Fact]
    public void Normalization_uses_the_recipe_statistics()
    {
        using var scope = torch.NewDisposeScope();
        var images = torch.full(new long[] { 2, 3, 36, 36 }, 0.5);
        using var g = new Generator(0);
        var y = AugmentationRecipes.Get("linear-eval-cifar-test").View1.Apply(images, g);
        Assert.Equal(new long[] { 2, 3, 32, 32 }, y.shape);
        Assert.Equal((0.5 - 0.4914) / 0.2023, y[0][0][5][5].item<float>(), 5);
        Assert.Equal((0.5 - 0.4465) / 0.2010, y[1][2][0][31].item<float>(), 5);
    }

    [Fact]
    public void Every_recipe_runs_at_its_shapes()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(1);
        foreach (var name in AugmentationRecipes.Names)
        {
            var recipe = AugmentationRecipes.Get(name, 32);
            var images = Images.RandomBytes(3, recipe.Channels, 40, 40);
            var views = recipe.IsTwoView ? new[] { recipe.TwoViews().Apply(images, g).View1, recipe.TwoViews().Apply(images, g).View2 } : new[] { recipe.View1.Apply(images, g) };
            foreach (var v in views)
            {
                Assert.Equal(new long[] { 3, recipe.Channels, 32, 32 }, v.shape);
                Assert.Equal(ScalarType.Float32, v.dtype);
            }
        }
        Assert.Equal(224, ((RandomResizedCrop)((Compose)AugmentationRecipes.Get("imagenet").View1).Steps[0]).Height);
        Assert.Equal(28, ((RandomResizedCrop)((Compose)AugmentationRecipes.Get("fashion-mnist").View1).Steps[0]).Height);
    }

    [Fact]
    public void The_asymmetric_recipe_has_the_byol_view_probabilities()
    {
        var recipe = AugmentationRecipes.Get("vit-asymmetric");
        Assert.True(recipe.IsTwoView);
        var view1 = ((Compose)recipe.View1).Steps;
        var view2 = ((Compose)recipe.View2!).Steps;
        Assert.Equal((1.0, 0.0), (view1.OfType<GaussianBlur>().Single().P, view1.OfType<Solarize>().Single().P));
        Assert.Equal((0.1, 0.2), (view2.OfType<GaussianBlur>().Single().P, view2.OfType<Solarize>().Single().P));
        Assert.Equal(23, view1.OfType<GaussianBlur>().Single().KernelSize);
        var cifar = ((Compose)AugmentationRecipes.Get("cifar").View1).Steps;
        Assert.Empty(cifar.OfType<GaussianBlur>());
        Assert.Equal((0.2, 1.0), cifar.OfType<RandomResizedCrop>().Single().Scale);
        var jitter = cifar.OfType<ColorJitter>().Single();
        Assert.Equal((0.4, 0.4, 0.4, 0.1, 0.8), (jitter.Brightness, jitter.Contrast, jitter.Saturation, jitter.Hue, jitter.P));
        var linear = ((Compose)AugmentationRecipes.Get("linear-eval-cifar").View1).Steps.OfType<RandomResizedCrop>().Single();
        Assert.Equal(((0.8, 1.0), Interpolation.Bicubic), (linear.Scale, linear.Interpolation));
    }

    [Fact]
    public void Fashion_mnist_views_are_grayscale_and_use_noise_or_blur()
    {
        using var scope = torch.NewDisposeScope();
        var steps = ((Compose)AugmentationRecipes.Get("fashion-mnist").View1).Steps;
        Assert.Empty(steps.OfType<RandomGrayscale>());
        var jitter = steps.OfType<ColorJitter>().Single();
        Assert.Equal((0.0, 0.0, 0.8), (jitter.Saturation, jitter.Hue, jitter.P));
        Assert.Equal(0.5, steps.OfType<OneOf>().Single().P);
        using var g = new Generator(2);
        var (v1, v2) = AugmentationRecipes.Get("fashion-mnist").TwoViews().Apply(Images.RandomBytes(8, 1, 28, 28), g);
        Assert.Equal(new long[] { 8, 1, 28, 28 }, v1.shape);
        Assert.True(Images.MaxAbsDiff(v1, v2) > 0.1);
    }

    [Fact]
    public void Unknown_names_and_misuse_give_clear_errors()
    {
        var e = Assert.Throws<ArgumentException>(() => AugmentationRecipes.Get("cifar10"));
        Assert.Contains("Valid recipes: cifar, imagenet, vit-asymmetric, fashion-mnist, linear-eval-cifar", e.Message);
        Assert.Contains("single-view", Assert.Throws<InvalidOperationException>(() => AugmentationRecipes.Get("linear-eval-cifar").TwoViews()).Message);
        Assert.Contains("p = 1", Assert.Throws<ArgumentException>(() => new OneOf(0.5, new GaussianBlur(3, p: 0.5))).Message);
        using var g = new Generator(0);
        using var gray = torch.zeros(2, 1, 32, 32);
        Assert.Contains("Normalize: expected 1 means", Assert.Throws<ArgumentException>(() => AugmentationRecipes.Get("linear-eval-cifar").View1.Apply(gray, g)).Message);
    }

    [Fact]
    public void Benchmark_reports_every_recipe()
    {
        var results = AugmentationBenchmark.Run(batchSize: 4, batches: 1);
        Assert.Equal(AugmentationRecipes.Names, results.Select(r => r.Recipe));
        Assert.All(results, r => Assert.True(r.ImagesPerSecond > 0));
        Assert.Equal("28x28x1", results.Single(r => r.Recipe == "fashion-mnist").Input);
    }
}
