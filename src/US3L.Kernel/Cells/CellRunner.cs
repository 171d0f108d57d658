using System.Diagnostics;
using System.Globalization;
using US3L.Kernel.Display;
using US3L.Kernel.Packages;

namespace US3L.Kernel.Cells;

/// <summary>
/// Runs one cell as .NET Interactive would: its magic commands, its parts in each language, the
/// packages its C# asks for (<c>#r "nuget: ..."</c>), then the C# itself. Output of non-C# parts
/// and magics goes out as display_data while the cell runs; the C# value of the last part is the
/// cell's result.
/// </summary>
internal sealed class CellRunner(CellHost host, PackageManager packages)
{
    public CellResult Run(string code, CancellationToken cancel)
    {
        CellPlan plan;
        try
        {
            plan = CellText.Parse(code);
        }
        catch (CellTextException e)
        {
            return Failed("MagicCommandError", e.Message);
        }
        try
        {
            host.WaitForWarmup(cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return new CellResult(false, null, CellHost.Interrupted());
        }
        var clock = Stopwatch.StartNew();
        try
        {
            return RunParts(plan.Parts, cancel);
        }
        finally
        {
            if (plan.Timed)
                DisplayPublisher.Show(new RawMime("text/plain", string.Create(CultureInfo.InvariantCulture, $"Wall time: {clock.Elapsed.TotalMilliseconds:0.###}ms")), []);
        }
    }

    private CellResult RunParts(IReadOnlyList<CellPart> parts, CancellationToken cancel)
    {
        var result = new CellResult(false, null, null);
        foreach (CellPart part in parts)
        {
            // A value ending an earlier C# part is shown where it stands, as Polyglot shows it.
            if (result is { HasValue: true, Value: not null }) DisplayPublisher.Show(result.Value, []);
            result = part switch
            {
                CodePart { Language: CellLanguage.CSharp } csharp => RunCSharp(csharp.Text, cancel),
                CodePart other => Show(other),
                InfoPart info => Show(InfoMagics.Show(info.Magic, host)),
                _ => throw new InvalidOperationException($"unknown cell part {part}"),
            };
            if (result.Error is not null) return result;
        }
        return result;
    }

    private CellResult RunCSharp(string text, CancellationToken cancel)
    {
        PackageDirectives.Extracted extracted;
        try
        {
            extracted = PackageDirectives.Extract(text);
        }
        catch (CellTextException e)
        {
            return Failed("PackageRestoreError", e.Message);
        }
        if (extracted.Packages.Count > 0 || extracted.Sources.Count > 0)
        {
            try
            {
                PackageInstall install = packages.Add(extracted.Sources, extracted.Packages, cancel);
                host.AddReferences(install.NewAssemblies);
                if (install.Packages.Count > 0) DisplayPublisher.Show(new InstalledPackages(install.Packages), []);
            }
            catch (PackageException e)
            {
                return Failed("PackageRestoreError", e.Message);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return new CellResult(false, null, CellHost.Interrupted());
            }
        }
        if (string.IsNullOrWhiteSpace(extracted.Code)) return new CellResult(false, null, null);
        return host.Run(extracted.Code, cancel);
    }

    private static CellResult Show(CodePart part)
    {
        object shown = part.Language switch
        {
            CellLanguage.Html => new RawMime("text/html", part.Text),
            CellLanguage.Markdown => new MarkdownString(part.Text),
            CellLanguage.JavaScript => new JavaScriptCode(part.Text),
            _ => throw new InvalidOperationException($"{part.Language} is not shown"),
        };
        return Show(shown);
    }

    private static CellResult Show(object shown)
    {
        DisplayPublisher.Show(shown, []);
        return new CellResult(false, null, null);
    }

    private static CellResult Failed(string name, string message) => new(false, null, new CellError(name, message, [$"{name}: {message}"]));
}
