using System.Text.Json.Nodes;
using US3L.Kernel.Cells;

namespace US3L.Kernel.Tests;

public class CellTextTests
{
    [Fact]
    public void CSharpOnlyBlanksMagicLinesKeepingLineNumbers()
    {
        Assert.Equal("\nvar x = 1;\n", CellText.CSharpOnly("#!csharp\nvar x = 1;\n#!time"));
        Assert.Equal("\n\n\nvar y = 2;", CellText.CSharpOnly("#!html\n<b>x</b>\n#!csharp\nvar y = 2;"));
        Assert.Equal("\nvar z = 3;", CellText.CSharpOnly("#r \"nuget: Humanizer.Core, 2.14.1\"\nvar z = 3;"));
    }

    [Fact]
    public void ParseSplitsACellAtLanguageMagics()
    {
        CellPlan plan = CellText.Parse("#!time\nvar a = 1;\n#!html\n<p>x</p>\n#!about\n#!c#\na");
        Assert.True(plan.Timed);
        Assert.Collection(plan.Parts,
            p => Assert.Equal(new CodePart(CellLanguage.CSharp, "\nvar a = 1;"), p),
            p => Assert.Equal(new CodePart(CellLanguage.Html, "<p>x</p>"), p),
            p => Assert.Equal(new InfoPart("#!about"), p),
            p => Assert.Equal(new CodePart(CellLanguage.CSharp, "\n\n\n\n\n\na"), p));
    }

    [Theory]
    [InlineData("1\n#!nope", "line 2: unknown magic command #!nope (#!lsmagic lists the magics)")]
    [InlineData("#!fsharp\nlet x = 1", "line 1: #!fsharp selects a .NET Interactive kernel this kernel does not host; it runs C#, HTML, Markdown and JavaScript cells (#!lsmagic lists the magics)")]
    [InlineData("#!time --fast", "line 1: #!time takes no arguments, got '--fast'")]
    public void UnknownOrMisusedMagicsAreRefusedBeforeAnythingRuns(string code, string message) =>
        Assert.Equal(message, Assert.Throws<CellTextException>(() => CellText.Parse(code)).Message);

    [Theory]
    [InlineData("var x = 1;", "complete")]
    [InlineData("1 + 2", "complete")]
    [InlineData("if (true) {", "incomplete")]
    [InlineData("var = ;", "invalid")]
    [InlineData("#i \"nuget: https://example.org/v3/index.json\"\n#r \"nuget: A, 1.0\"\n1", "complete")]
    public void IsCompleteClassifiesCells(string code, string expected) => Assert.Equal(expected, CodeIntelligence.IsComplete(code));

    [Fact]
    public void MagicNamesCompleteAtTheStartOfALine()
    {
        var completion = ShellHandlers.MagicCompletion("var a = 1;\n  #!ma", 17)!;
        Assert.Equal(["#!markdown"], completion.Matches);
        Assert.Equal((13, 17), (completion.Start, completion.End));
        Assert.Null(ShellHandlers.MagicCompletion("Console.Wri", 11));
    }

    [Fact]
    public void CursorPositionsConvertBetweenCodePointsAndUtf16()
    {
        string text = "a😀b";
        Assert.Equal(3, ShellHandlers.CodePoints(text));
        Assert.Equal(3, ShellHandlers.ToUtf16(text, 2));
    }

    [Fact]
    public void HistoryServesTailRangeAndGlobSearch()
    {
        var history = new History();
        history.Add(1, "1 + 1", "2");
        history.Add(2, "var x = 3;", null);
        history.Add(3, "1 + 2", "3");
        JsonArray tail = history.Query(new JsonObject { ["hist_access_type"] = "tail", ["n"] = 1, ["output"] = true });
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("[[1,3,[\"1 + 2\",\"3\"]]]"), tail), tail.ToJsonString());
        Assert.Single(history.Query(new JsonObject { ["hist_access_type"] = "range", ["start"] = 2, ["stop"] = 3 }));
        Assert.Equal(2, history.Query(new JsonObject { ["hist_access_type"] = "search", ["pattern"] = "1 + ?" }).Count);
    }
}
