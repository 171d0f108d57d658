namespace US3L.Torch.nn;

/// <summary>Returns its input unchanged (a placeholder where a layer is optional).</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    /// <summary>Returns an alias, so callers may dispose input and output independently.</summary>
    public override Tensor forward(Tensor input) => input.alias();
}

public sealed class ReLU : Module<Tensor, Tensor>
{
    private readonly bool inplace;

    public ReLU(bool inplace = false) => this.inplace = inplace;

    public override Tensor forward(Tensor input) => inplace ? input.relu_().alias() : input.relu();

    public override string extra_repr() => inplace ? "inplace=True" : "";
}

/// <summary>Flattens dims start_dim..end_dim into one (default: all but the batch dim).</summary>
public sealed class Flatten : Module<Tensor, Tensor>
{
    private readonly long startDim;
    private readonly long endDim;

    public Flatten(long start_dim = 1, long end_dim = -1)
    {
        startDim = start_dim;
        endDim = end_dim;
    }

    public override Tensor forward(Tensor input)
    {
        var shape = input.shape;
        var n = shape.Length;
        if (n == 0) return input.reshape(1);
        var s = startDim < 0 ? startDim + n : startDim;
        var e = endDim < 0 ? endDim + n : endDim;
        if (s < 0 || e >= n || s > e)
            throw new ArgumentException($"Flatten(start_dim={startDim}, end_dim={endDim}) does not fit an input of shape {Tensor.ShapeString(shape)}.");
        var merged = 1L;
        for (var i = s; i <= e; i++) merged *= shape[i];
        var target = shape.Take((int)s).Append(merged).Concat(shape.Skip((int)e + 1)).ToArray();
        return input.reshape(target);
    }

    public override string extra_repr() => $"start_dim={startDim}, end_dim={endDim}";
}
