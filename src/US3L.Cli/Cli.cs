using System.CommandLine;

namespace US3L.Cli;

/// <summary>Runs the command tree: every error is one line on stderr, with the stack trace only under --verbose.</summary>
internal static class Cli
{
    internal static readonly Option<bool> Verbose = new("--verbose") { Description = "Show stack traces of errors", Recursive = true };

    internal static int Run(RootCommand root, string[] args)
    {
        root.Options.Add(Verbose);
        var parsed = root.Parse(args);
        try
        {
            // Our handler below prints one line; System.CommandLine's own would print the stack trace.
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            var inner = e is System.Reflection.TargetInvocationException { InnerException: { } ie } ? ie : e;
            Console.Error.WriteLine($"error: {inner.Message}");
            if (parsed.GetValue(Verbose)) Console.Error.WriteLine(inner);
            return 1;
        }
    }
}
