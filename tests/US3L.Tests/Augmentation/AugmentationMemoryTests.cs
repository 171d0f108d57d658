using US3L.Augmentation;

namespace US3L.Tests.Augmentation;

/// <summary>Counts live native tensors, so it runs alone.</summary>
[Collection(nameof(AugmentationMemoryCollection))]
public class AugmentationMemoryTests
{
    [Fact]
    public void Augmenting_leaves_no_tensors_behind()
    {
        using var images = Images.RandomBytes(8, 3, 32, 32);
        using var g = new Generator(0);
        var views = AugmentationRecipes.Get("imagenet", 32).TwoViews();
        var before = torch.live_tensor_count();
        for (var i = 0; i < 3; i++)
        {
            var (a, b) = views.Apply(images, g);
            Assert.Equal(before + 2, torch.live_tensor_count());
            a.Dispose();
            b.Dispose();
        }
        Assert.Equal(before, torch.live_tensor_count());
    }
}

[CollectionDefinition(nameof(AugmentationMemoryCollection), DisableParallelization = true)]
public class AugmentationMemoryCollection { }
