namespace US3L.Kernel.Tests;

/// <summary>A type the end-to-end suite loads into a cell with <c>#r "US3L.Kernel.Tests.dll"</c>.</summary>
public static class SampleLibrary
{
    public static int Answer() => 42;
}
