using System.CommandLine;
using US3L.Cli.Notebooks;

namespace US3L.Cli;

/// <summary>`us3l notebook ...`: run the notebooks in notebooks/ from the command line or CI.</summary>
internal static class NotebookCommands
{
    public static Command Create()
    {
        var notebook = new Command("notebook", "Jupyter notebooks on the C# kernel");
        notebook.Subcommands.Add(Run());
        return notebook;
    }

    private static Command Run()
    {
        var path = new Argument<string>("notebook") { Description = "The .ipynb to run (relative to the current directory)" };
        var parameters = new Option<string[]>("--parameter", "-p")
        {
            Description = "name=value, assigned after the cell tagged 'parameters' (int, double, bool or string); repeatable",
            DefaultValueFactory = _ => [],
        };
        var output = new Option<string?>("--output") { Description = "Write the executed notebook here (also when a cell fails)" };
        var html = new Option<string?>("--html") { Description = "Write the executed notebook as an HTML page here" };
        var timeout = new Option<int?>("--timeout") { Description = "Seconds each cell may run (default: no limit)" };
        var kernel = new Option<string>("--kernel")
        {
            Description = "Kernelspec to run on; installed privately when missing (Polyglot's .net-csharp notebooks run here too)",
            DefaultValueFactory = _ => NotebookRunner.DefaultKernel,
        };
        var staticFigures = new Option<bool>("--static-figures")
        {
            Description = "Draw each figure of --output and --html as a PNG image (headless Chromium) instead of plotly.js, " +
                "so they show without running scripts (GitHub, nbviewer, an untrusted notebook) and carry no 5 MB script",
        };
        var command = new Command("run", "Execute a notebook with Jupyter's client; a failing cell fails the run")
        {
            path, parameters, output, html, timeout, kernel, staticFigures,
        };
        command.SetAction(parse =>
        {
            var assignments = parse.GetValue(parameters)!.Select(NotebookParameters.ParseAssignment).ToList();
            var duplicate = assignments.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null) throw new ArgumentException($"The parameter '{duplicate.Key}' is given more than once.");
            NotebookRunner.Run(new NotebookRunOptions(parse.GetValue(path)!, assignments, parse.GetValue(output),
                parse.GetValue(html), parse.GetValue(timeout), parse.GetValue(kernel)!, parse.GetValue(staticFigures)), Console.Out);
        });
        return command;
    }
}
