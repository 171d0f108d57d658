namespace US3L.Notebook;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls back on the reporting thread, at once. (The framework's
/// <see cref="Progress{T}"/> posts to a synchronization context, which a notebook cell does not
/// have, so its callbacks would run later on the thread pool, out of order with the cell.)
/// </summary>
public sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
