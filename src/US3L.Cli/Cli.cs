using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;
using US3L.Config;

namespace US3L.Cli;

/// <summary>
/// Runs the command tree: every error is one line on stderr, with the stack trace only under --verbose.
/// A command line that does not parse (an unknown command or option, a value of the wrong type, a
/// missing required option) is one line too, naming the token and where to look (<c>--help</c>).
/// </summary>
internal static partial class Cli
{
    internal static readonly Option<bool> Verbose = new("--verbose") { Description = "Show stack traces of errors", Recursive = true };

    internal static int Run(RootCommand root, string[] args)
    {
        root.Options.Add(Verbose);
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            Console.Error.WriteLine($"error: {ParseErrorLine(parsed)}");
            return 1;
        }
        try
        {
            // Our handler below prints one line; System.CommandLine's own would print the stack trace.
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            var inner = e is System.Reflection.TargetInvocationException { InnerException: { } ie } ? ie : e;
            Console.Error.WriteLine($"error: {OneLine(inner.Message)}");
            if (parsed.GetValue(Verbose)) Console.Error.WriteLine(inner);
            return 1;
        }
    }

    /// <summary>The first problem of a command line that did not parse, in one line.</summary>
    internal static string ParseErrorLine(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        var path = CommandPath(parsed);
        var help = $"See '{path} --help'.";
        if (parsed.UnmatchedTokens.FirstOrDefault() is { } token)
        {
            var subcommands = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToArray();
            if (!token.StartsWith('-') && subcommands.Length > 0)
                return $"'{path}' has no command '{token}'.{Suggestion(token, subcommands)} {help}";
            if (token.StartsWith('-'))
                return $"'{path}' has no option '{token}'.{Suggestion(token, OptionNames(parsed))} {help}";
            return $"unexpected argument '{token}' for '{path}'. {help}";
        }
        var error = parsed.Errors[0];
        if (error.Message.StartsWith("Required command", StringComparison.Ordinal)) return $"'{path}' needs a command. {help}";
        return $"{Readable(error.Message)} {help}";
    }

    private static string Suggestion(string token, IEnumerable<string> names) =>
        SnakeCase.Closest(token, names) is { } close ? $" Did you mean '{close}'?" : "";

    /// <summary>"us3l bench engine": the root's name, then each command the line named.</summary>
    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = parsed.CommandResult; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c) names.Add(c.Command is RootCommand ? "us3l" : c.Command.Name);
        names.Reverse();
        return string.Join(" ", names);
    }

    /// <summary>Every option name (and alias) valid where the line stopped: the command's own and the recursive ones above it.</summary>
    private static IEnumerable<string> OptionNames(ParseResult parsed)
    {
        var first = true;
        for (System.CommandLine.Parsing.SymbolResult? r = parsed.CommandResult; r is not null; r = r.Parent, first = false)
            if (r is System.CommandLine.Parsing.CommandResult c)
                foreach (var o in c.Command.Options.Where(o => first || o.Recursive))
                    foreach (var name in o.Aliases.Prepend(o.Name)) yield return name;
    }

    /// <summary>System.CommandLine's messages with .NET type names said in words.</summary>
    private static string Readable(string message) => TypeName().Replace(OneLine(message), m => m.Groups[1].Value switch
    {
        "System.Int32" or "System.Int64" => "as an integer",
        "System.Double" or "System.Single" => "as a number",
        "System.Boolean" => "as true or false",
        var other => $"as {other}",
    });

    /// <summary>Messages that span lines are joined, so an error is always one line.</summary>
    internal static string OneLine(string message) =>
        string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    [GeneratedRegex(@"as expected type '([\w.]+)'")]
    private static partial Regex TypeName();
}
