using US3L.Data;
using US3L.Torch;

namespace US3L.Detection;

/// <summary>How <see cref="FashionScenes"/> composes its scenes; every field is a design choice of the kit (science.md 10.2).</summary>
public sealed record FashionScenesOptions
{
    /// <summary>Side of the square canvas in pixels.</summary>
    public int CanvasSize { get; init; } = 128;
    /// <summary>Items pasted per scene, drawn uniformly from [MinItems, MaxItems].</summary>
    public int MinItems { get; init; } = 1;
    public int MaxItems { get; init; } = 6;
    /// <summary>Side of a pasted item as a fraction of the canvas, drawn uniformly (the 28×28 item is resampled to it).</summary>
    public double MinItemScale { get; init; } = 0.2;
    public double MaxItemScale { get; init; } = 0.6;
    /// <summary>1 (grayscale, like the pretraining data) or 3 (the gray value in every channel).</summary>
    public int Channels { get; init; } = 1;
    /// <summary>An item's pixel belongs to the item (is painted and masked) when its resampled value is at least this.</summary>
    public byte ItemThreshold { get; init; } = 40;
    /// <summary>Background pixels are uniform in [0, BackgroundNoise).</summary>
    public int BackgroundNoise { get; init; } = 24;
    /// <summary>An occluded item keeps its annotation only if at least this fraction of its pixels stays visible...</summary>
    public double MinVisibleFraction { get; init; } = 0.25;
    /// <summary>...and at least this many pixels.</summary>
    public int MinVisiblePixels { get; init; } = 16;

    internal int MinSide => Math.Max(4, (int)Math.Round(MinItemScale * CanvasSize));
    internal int MaxSide => Math.Max(MinSide, (int)Math.Round(MaxItemScale * CanvasSize));

    internal void Validate()
    {
        if (CanvasSize < 16) throw new ArgumentOutOfRangeException(nameof(CanvasSize), CanvasSize, "FashionScenes: the canvas must be at least 16 pixels.");
        if (MinItems < 1 || MaxItems < MinItems)
            throw new ArgumentException($"FashionScenes: items per scene must satisfy 1 <= MinItems <= MaxItems, got {MinItems}..{MaxItems}.");
        if (!(MinItemScale > 0 && MaxItemScale >= MinItemScale && MaxItemScale <= 1))
            throw new ArgumentException($"FashionScenes: item scales must satisfy 0 < MinItemScale <= MaxItemScale <= 1, got {MinItemScale}..{MaxItemScale}.");
        if (Channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "FashionScenes: channels must be 1 or 3.");
        if (BackgroundNoise is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(BackgroundNoise), BackgroundNoise, "FashionScenes: BackgroundNoise must be in [1, 256].");
        if (!(MinVisibleFraction >= 0 && MinVisibleFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(MinVisibleFraction), MinVisibleFraction, "FashionScenes: MinVisibleFraction must be in [0, 1].");
        if (MinVisiblePixels < 1) throw new ArgumentOutOfRangeException(nameof(MinVisiblePixels), MinVisiblePixels, "FashionScenes: MinVisiblePixels must be positive.");
    }
}

/// <summary>
/// The kit's embedded detection set (science.md 10.2): Fashion-MNIST items pasted at random sizes and
/// positions on a noisy canvas, with exact instance boxes and masks over the 10 Fashion-MNIST classes
/// (labels 1..10). Scene i depends only on (seed, i), so a set is reproducible and needs no storage:
/// scenes are composed when read. The train split pastes Fashion-MNIST training images, the
/// validation split its test images, so no item appears in both.
/// <para>
/// Composition: items are painted one after another, each fully inside the canvas; an item's pixels
/// are those whose resampled value reaches <see cref="FashionScenesOptions.ItemThreshold"/>, and
/// they replace what is below (later items lie on top; an item's darker pixels are holes that show
/// what is beneath). An item's <b>visible mask</b> is its pixels minus those covered by later items;
/// its <b>box</b> is the box of its visible mask, in pixel edges ([x, x + w) as COCO); its
/// <b>area</b> is the visible pixel count. An item that keeps fewer than
/// <see cref="FashionScenesOptions.MinVisibleFraction"/> of its pixels or fewer than
/// <see cref="FashionScenesOptions.MinVisiblePixels"/> visible pixels is dropped from the
/// annotations (its visible fragments stay in the image, unlabelled). The last item painted is never
/// covered and always has enough pixels, so every scene has at least one object.
/// </para>
/// </summary>
public sealed class FashionScenes : DetectionDataset
{
    private readonly InMemoryImageDataset items;
    private readonly int count;

    /// <summary>A scene set of <paramref name="count"/> scenes over the given 28×28 grayscale items.</summary>
    public FashionScenes(InMemoryImageDataset items, int count, long seed, FashionScenesOptions? options = null, string? name = null)
        : base(name ?? $"fashion-scenes[{items.Name}, seed {seed}]", items.ClassNames)
    {
        if (items.Channels != 1 || items.Height != FashionMnist.ImageSide || items.Width != FashionMnist.ImageSide)
            throw new ArgumentException($"FashionScenes: items must be 1x28x28 images, {items.Name} has {items.Channels}x{items.Height}x{items.Width}.");
        if (items.Count == 0) throw new ArgumentException($"FashionScenes: {items.Name} has no images to paste.");
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "FashionScenes: the scene count must be positive.");
        Options = options ?? new FashionScenesOptions();
        Options.Validate();
        this.items = items;
        this.count = count;
        Seed = seed;
    }

    /// <summary>Scenes pasting Fashion-MNIST training images (<paramref name="train"/>) or test images.</summary>
    public static FashionScenes Load(bool train, int count, long seed, FashionScenesOptions? options = null, string? directory = null) =>
        new(FashionMnist.Load(train, directory), count, seed, options, $"fashion-scenes/{(train ? "train" : "val")}");

    public FashionScenesOptions Options { get; }
    public long Seed { get; }
    public override int Count => count;

    public override DetectionSample Get(int index)
    {
        CheckIndex(index);
        var scene = Compose(index);
        var side = Options.CanvasSize;
        var kept = scene.Items.Where(i => i.Kept).ToList();
        var plane = side * side;
        var masks = new byte[kept.Count * plane];
        var boxes = new float[kept.Count * 4];
        var labels = new long[kept.Count];
        var area = new float[kept.Count];
        for (var k = 0; k < kept.Count; k++)
        {
            var item = kept[k];
            for (var p = 0; p < plane; p++)
                if (scene.Owner[p] == item.Order) masks[k * plane + p] = 1;
            var b = item.VisibleBox;
            boxes[4 * k] = b.X;
            boxes[4 * k + 1] = b.Y;
            boxes[4 * k + 2] = b.X + b.W;
            boxes[4 * k + 3] = b.Y + b.H;
            labels[k] = item.Label + 1;
            area[k] = item.Visible;
        }
        var image = new byte[Options.Channels * plane];
        for (var c = 0; c < Options.Channels; c++) scene.Canvas.CopyTo(image, c * plane);
        using var scope = torch.NewDisposeScope();
        var target = new DetectionTarget(index,
            torch.tensor<float>(boxes, kept.Count, 4),
            torch.tensor<long>(labels, kept.Count),
            torch.tensor<byte>(masks, kept.Count, side, side),
            torch.zeros(new long[] { kept.Count }, ScalarType.Int64),
            torch.tensor<float>(area, kept.Count));
        return new DetectionSample(torch.tensor<byte>(image, Options.Channels, side, side), target);
    }

    public override ImageTruth GroundTruth(int index)
    {
        CheckIndex(index);
        var scene = Compose(index);
        var side = Options.CanvasSize;
        var objects = new List<TruthObject>();
        var mask = new byte[side * side];
        foreach (var item in scene.Items.Where(i => i.Kept))
        {
            for (var p = 0; p < mask.Length; p++) mask[p] = (byte)(scene.Owner[p] == item.Order ? 1 : 0);
            var b = item.VisibleBox;
            objects.Add(new TruthObject((long)index * Options.MaxItems + item.Order + 1, item.Label + 1, (b.X, b.Y, b.W, b.H), item.Visible, false,
                Rle.Encode(mask, side, side)));
        }
        return new ImageTruth(index, side, side, objects);
    }

    /// <summary>One pasted item: where it went and how much of it stays visible.</summary>
    internal sealed record PlacedItem(int Order, int SourceIndex, int Label, int X, int Y, int Side, int Pixels)
    {
        public int Visible { get; set; }
        public (int X, int Y, int W, int H) VisibleBox { get; set; }
        public bool Kept { get; set; }
    }

    /// <summary>A composed scene: the gray canvas, which item owns each pixel (-1: background), and every item painted.</summary>
    internal sealed record Scene(byte[] Canvas, int[] Owner, IReadOnlyList<PlacedItem> Items);

    /// <summary>Composes scene <paramref name="index"/> from (seed, index) alone.</summary>
    internal Scene Compose(int index)
    {
        var o = Options;
        var side = o.CanvasSize;
        var rng = SeededRandom.Derive(Seed, index);
        var canvas = new byte[side * side];
        for (var p = 0; p < canvas.Length; p++) canvas[p] = (byte)rng.NextInt(o.BackgroundNoise);
        var owner = new int[side * side];
        Array.Fill(owner, -1);
        var placed = new List<PlacedItem>();
        var n = rng.NextInt(o.MinItems, o.MaxItems + 1);
        for (var k = 0; k < n; k++)
        {
            var s = rng.NextInt(o.MinSide, o.MaxSide + 1);
            // Redraw faint items that could never be annotated at this size (rare: a few near-black images).
            int source;
            byte[] pixels;
            var attempts = 0;
            do
            {
                source = rng.NextInt(items.Count);
                pixels = ImageResize.ToChw(items.Pixels.Slice(source * items.ImageSize, items.ImageSize), FashionMnist.ImageSide,
                    FashionMnist.ImageSide, 1, s, s, ResizeMode.Stretch);
            } while (CountAtLeast(pixels, o.ItemThreshold) < o.MinVisiblePixels && ++attempts < 100);
            var x = rng.NextInt(0, side - s + 1);
            var y = rng.NextInt(0, side - s + 1);
            for (var py = 0; py < s; py++)
                for (var px = 0; px < s; px++)
                {
                    var v = pixels[py * s + px];
                    if (v < o.ItemThreshold) continue;
                    var p = (y + py) * side + x + px;
                    canvas[p] = v;
                    owner[p] = k;
                }
            placed.Add(new PlacedItem(k, source, (int)items.Label(source), x, y, s, CountAtLeast(pixels, o.ItemThreshold)));
        }
        foreach (var item in placed) Measure(item, owner, side);
        foreach (var item in placed)
            item.Kept = item.Visible >= o.MinVisiblePixels && item.Visible >= o.MinVisibleFraction * item.Pixels;
        return new Scene(canvas, owner, placed);
    }

    private static int CountAtLeast(byte[] pixels, byte threshold)
    {
        var n = 0;
        foreach (var v in pixels)
            if (v >= threshold) n++;
        return n;
    }

    /// <summary>Visible pixel count and the box of the visible pixels (searched within the item's square only).</summary>
    private static void Measure(PlacedItem item, int[] owner, int side)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1, visible = 0;
        for (var y = item.Y; y < item.Y + item.Side; y++)
            for (var x = item.X; x < item.X + item.Side; x++)
            {
                if (owner[y * side + x] != item.Order) continue;
                visible++;
                x0 = Math.Min(x0, x);
                x1 = Math.Max(x1, x);
                y0 = Math.Min(y0, y);
                y1 = Math.Max(y1, y);
            }
        item.Visible = visible;
        item.VisibleBox = visible == 0 ? (0, 0, 0, 0) : (x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }
}
