namespace US3L.Notebook;

/// <summary>
/// What a running grid knows about its arms, shared by its training and evaluation parts: each
/// arm's progress line, its summary once evaluated, and why an arm failed.
/// </summary>
internal sealed class GridBoard(IReadOnlyList<GridArm> arms)
{
    public IReadOnlyList<GridArm> Arms { get; } = arms;
    public ArmProgress[] Lines { get; } = new ArmProgress[arms.Count];
    public ArmSummary?[] Summaries { get; } = new ArmSummary?[arms.Count];
    public Dictionary<string, string> Failures { get; } = new();

    public void Fail(int i, string message)
    {
        Failures[Arms[i].Label] = message;
        Lines[i] = Lines[i] with { Phase = ArmPhase.Failed, Note = message };
    }
}
