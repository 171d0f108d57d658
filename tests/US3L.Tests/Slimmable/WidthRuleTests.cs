using US3L.Slimmable;

namespace US3L.Tests.Slimmable;

public class WidthRuleTests
{
    // science.md 1.2: ResNet stage widths and ResNet-50 block outputs per width.
    [Theory]
    [InlineData(0.25, new[] { 16, 32, 64, 128 }, new[] { 64, 128, 256, 512 })]
    [InlineData(0.30, new[] { 24, 40, 80, 152 }, new[] { 80, 152, 304, 616 })]
    [InlineData(0.35, new[] { 24, 48, 88, 176 }, new[] { 88, 176, 360, 720 })]
    [InlineData(0.50, new[] { 32, 64, 128, 256 }, new[] { 128, 256, 512, 1024 })]
    [InlineData(0.75, new[] { 48, 96, 192, 384 }, new[] { 192, 384, 768, 1536 })]
    [InlineData(1.00, new[] { 64, 128, 256, 512 }, new[] { 256, 512, 1024, 2048 })]
    public void ReproducesTheChannelTable(double width, int[] stages, int[] blockOutputs)
    {
        Assert.Equal(stages, new[] { 64, 128, 256, 512 }.Select(c => WidthRule.Channels(c, width)));
        Assert.Equal(blockOutputs, new[] { 256, 512, 1024, 2048 }.Select(c => WidthRule.Channels(c, width)));
    }

    [Fact]
    public void NeverMoreThanTenPercentBelowAndAtLeastOne()
    {
        Assert.Equal(16, WidthRule.MakeDivisible(15));      // nearest multiple of 8
        Assert.Equal(8, WidthRule.MakeDivisible(4));        // 4 rounds up to 8
        Assert.Equal(1, WidthRule.MakeDivisible(0.5));      // floor gives 0, the minimum is 1, and 1 >= 0.9 * 0.5
        Assert.Equal(24, WidthRule.MakeDivisible(19.5));    // 16 < 0.9 * 19.5, so one step up
        Assert.Equal(8, WidthRule.MakeDivisible(8.5, divisor: 4)); // divisor 4 for the CPU mini model
    }

    [Fact]
    public void RatioKeepsTheExpansionExact()
    {
        // MobileNetV2: 6 * round8(16 * 0.35) = 6 * 8, not round8(96 * 0.35) = 32.
        Assert.Equal(48, WidthRule.Channels(96, 0.35, ratio: 6));
        Assert.Equal(96, WidthRule.Channels(96, 1.0, ratio: 6));
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        Assert.Contains("(0, 1]", Assert.ThrowsAny<ArgumentException>(() => WidthRule.Channels(64, 1.5)).Message);
        Assert.Contains("(0, 1]", Assert.ThrowsAny<ArgumentException>(() => WidthRule.Channels(64, 0)).Message);
        Assert.Contains("ratio", Assert.Throws<ArgumentException>(() => WidthRule.Channels(64, 0.5, ratio: 5)).Message);
    }
}
