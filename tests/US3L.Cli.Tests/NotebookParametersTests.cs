using System.Text.Json.Nodes;
using US3L.Cli.Notebooks;

namespace US3L.Cli.Tests;

public class NotebookParametersTests
{
    [Theory]
    [InlineData("5", "5")]
    [InlineData("-3", "-3")]
    [InlineData("0.25", "0.25")]
    [InlineData("1e-3", "0.001")]
    [InlineData("2e3", "2000.0")]
    [InlineData("true", "true")]
    [InlineData("False", "false")]
    [InlineData("smoke", "\"smoke\"")]
    [InlineData("\"42\"", "\"42\"")]
    [InlineData("a \"b\" \\ c", "\"a \\\"b\\\" \\\\ c\"")]
    public void Values_become_typed_csharp_literals(string value, string literal) =>
        Assert.Equal(literal, NotebookParameters.Literal(value));

    [Fact]
    public void Declarations_of_the_parameters_cell_are_found()
    {
        const string source = "var profile = \"smoke\"; var seed = 0;\n// a comment: x = 1\ndouble lr = 0.1;\nList<int> sizes = new() { 1 };\nconst int Steps = 3;";
        Assert.Equal(["profile", "seed", "lr", "sizes", "Steps"], NotebookParameters.Declared(source));
    }

    [Theory]
    [InlineData("seed=3", "seed", "3")]
    [InlineData("name=a=b", "name", "a=b")]
    public void Assignments_split_at_the_first_equals(string text, string name, string value) =>
        Assert.Equal((name, value), NotebookParameters.ParseAssignment(text));

    [Theory]
    [InlineData("seed")]
    [InlineData("=3")]
    [InlineData("1x=3")]
    public void Malformed_assignments_are_refused(string text) =>
        Assert.Contains("name=value", Assert.Throws<ArgumentException>(() => NotebookParameters.ParseAssignment(text)).Message);

    [Fact]
    public void Injected_cell_follows_the_parameters_cell_and_replaces_an_earlier_one()
    {
        var nb = TestNotebook.Create(
            TestNotebook.Markdown("# title"),
            TestNotebook.Code("var profile = \"smoke\";\nvar seed = 0;", "parameters"),
            TestNotebook.Code("seed = 9;", "injected-parameters"),
            TestNotebook.Code("Console.WriteLine(seed);"));
        var injected = NotebookParameters.Inject(nb, [("seed", "7"), ("profile", "short")]);
        var cells = injected["cells"]!.AsArray();
        Assert.Equal(4, cells.Count);
        Assert.Equal("injected-parameters", cells[2]!["metadata"]!["tags"]![0]!.GetValue<string>());
        Assert.Equal("csharp", cells[2]!["metadata"]!["dotnet_interactive"]!["language"]!.GetValue<string>());
        Assert.Equal("// Parameters\nseed = 7;\nprofile = \"short\";", NotebookParameters.Source(cells[2]));
        Assert.Equal("Console.WriteLine(seed);", NotebookParameters.Source(cells[3]));
        // The input is left as it was.
        Assert.Equal(4, nb["cells"]!.AsArray().Count);
    }

    [Fact]
    public void Unknown_parameter_lists_the_declared_ones()
    {
        var nb = TestNotebook.Create(TestNotebook.Code("var profile = \"smoke\"; var seed = 0;", "parameters"));
        var e = Assert.Throws<ArgumentException>(() => NotebookParameters.Inject(nb, [("epochs", "3")]));
        Assert.Contains("Unknown parameter 'epochs'", e.Message);
        Assert.Contains("profile, seed", e.Message);
    }

    [Fact]
    public void Parameters_need_a_tagged_cell()
    {
        var nb = TestNotebook.Create(TestNotebook.Code("var seed = 0;"));
        Assert.Contains("no cell tagged 'parameters'", Assert.Throws<ArgumentException>(() => NotebookParameters.Inject(nb, [("seed", "1")])).Message);
    }

    [Fact]
    public void Cell_ids_are_added_for_nbformat_4_5()
    {
        var nb = TestNotebook.Create(TestNotebook.Code("var seed = 0;", "parameters"));
        nb["nbformat_minor"] = 5;
        var cell = NotebookParameters.Inject(nb, [("seed", "1")])["cells"]![1]!;
        Assert.Equal("injected-parameters", cell["id"]!.GetValue<string>());
        Assert.Null(NotebookParameters.Inject(TestNotebook.Create(TestNotebook.Code("var seed = 0;", "parameters")), [("seed", "1")])["cells"]![1]!["id"]);
    }

    [Fact]
    public void Sources_stored_as_lists_of_lines_are_joined()
    {
        var cell = new JsonObject { ["source"] = new JsonArray("var a = 1;\n", "var b = 2;") };
        Assert.Equal("var a = 1;\nvar b = 2;", NotebookParameters.Source(cell));
    }
}
