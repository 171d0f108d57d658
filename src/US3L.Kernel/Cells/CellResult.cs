namespace US3L.Kernel.Cells;

/// <summary>How a cell ended: a value (when it ends in an expression), or an error in Jupyter's terms.</summary>
internal sealed record CellResult(bool HasValue, object? Value, CellError? Error);

internal sealed record CellError(string Name, string Value, IReadOnlyList<string> Traceback);
