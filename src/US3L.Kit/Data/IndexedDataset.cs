namespace US3L.Data;

/// <summary>
/// The images of another dataset at given indices, in that order, without copying them: a labelled
/// subset of a folder of files stays lazy (each image is decoded when a batch asks for it).
/// </summary>
public sealed class IndexedDataset : ImageDataset
{
    private readonly ImageDataset source;
    private readonly int[] indices;

    public IndexedDataset(ImageDataset source, IReadOnlyList<int> indices, string? name = null)
        : base(name ?? source.Name, source.Channels, source.Height, source.Width, source.ClassNames)
    {
        ArgumentNullException.ThrowIfNull(indices);
        this.source = source;
        this.indices = indices.ToArray();
        foreach (var i in this.indices)
            if ((uint)i >= (uint)source.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"{source.Name}: index {i} is outside [0, {source.Count}).");
    }

    public override int Count => indices.Length;

    /// <summary>The index in the source dataset of image <paramref name="index"/>.</summary>
    public int SourceIndex(int index)
    {
        CheckIndex(index);
        return indices[index];
    }

    public override long Label(int index) => source.Label(SourceIndex(index));

    public override void CopyImage(int index, Span<byte> destination) => source.CopyImage(SourceIndex(index), destination);

    protected override bool ReadsAreExpensive => source is not InMemoryImageDataset;
}
