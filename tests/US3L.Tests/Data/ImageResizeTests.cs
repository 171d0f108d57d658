namespace US3L.Tests.Data;

public class ImageResizeTests
{
    [Fact]
    public void Same_size_is_a_layout_change_only()
    {
        var hwc = Enumerable.Range(0, 4 * 5 * 3).Select(i => (byte)(i * 3)).ToArray();
        var chw = ImageResize.ToChw(hwc, 4, 5, 3, 4, 5, ResizeMode.Stretch);
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < 4; y++)
                for (var x = 0; x < 5; x++)
                    Assert.Equal(hwc[(y * 5 + x) * 3 + c], chw[c * 20 + y * 5 + x]);
        Assert.Equal(chw, ImageResize.ToChw(hwc, 4, 5, 3, 4, 5, ResizeMode.CenterCrop));
    }

    [Fact]
    public void Downscaling_uses_the_widened_triangle_filter_like_PIL()
    {
        // PIL: Image.fromarray([[0,100,10,20],[40,60,200,220]], "L").resize((2, 1), BILINEAR) == [[58, 108]]
        var hwc = new byte[] { 0, 100, 10, 20, 40, 60, 200, 220 };
        Assert.Equal(new byte[] { 58, 108 }, ImageResize.ToChw(hwc, 2, 4, 1, 1, 2, ResizeMode.Stretch));
        var constant = Enumerable.Repeat((byte)77, 7 * 9 * 3).ToArray();
        Assert.All(ImageResize.ToChw(constant, 7, 9, 3, 3, 4), v => Assert.Equal(77, v));
        Assert.All(ImageResize.ToChw(constant, 7, 9, 3, 20, 11), v => Assert.Equal(77, v));
    }

    [Fact]
    public void Centre_crop_of_a_wide_image_keeps_the_middle()
    {
        // 2x6 image: left and right thirds 0, middle third 255; a 2x2 centre crop sees only the middle.
        var row = new byte[] { 0, 0, 255, 255, 0, 0 };
        var hwc = row.Concat(row).ToArray();
        Assert.All(ImageResize.ToChw(hwc, 2, 6, 1, 2, 2, ResizeMode.CenterCrop), v => Assert.Equal(255, v));
        Assert.Throws<ArgumentException>(() => ImageResize.ToChw(hwc, 3, 6, 1, 2, 2));
    }
}
