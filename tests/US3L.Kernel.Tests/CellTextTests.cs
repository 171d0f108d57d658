using System.Text.Json.Nodes;
using US3L.Kernel.Cells;

namespace US3L.Kernel.Tests;

public class CellTextTests
{
    [Fact]
    public void PolyglotMagicLinesAreBlankedKeepingLineNumbers()
    {
        Assert.Equal("\nvar x = 1;\n", CellText.CSharpOnly("#!csharp\nvar x = 1;\n#!time"));
    }

    [Theory]
    [InlineData("var x = 1;", "complete")]
    [InlineData("1 + 2", "complete")]
    [InlineData("if (true) {", "incomplete")]
    [InlineData("var = ;", "invalid")]
    public void IsCompleteClassifiesCells(string code, string expected) => Assert.Equal(expected, CodeIntelligence.IsComplete(code));

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
