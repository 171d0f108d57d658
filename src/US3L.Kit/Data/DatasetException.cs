namespace US3L.Data;

/// <summary>A dataset file is missing, unreadable or not in the expected format. The message names the file.</summary>
public sealed class DatasetException : Exception
{
    public DatasetException(string message, Exception? inner = null) : base(message, inner) { }
}
