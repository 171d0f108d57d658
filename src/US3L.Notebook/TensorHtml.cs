using System.Globalization;
using System.Net;
using System.Text;
using US3L.Torch;

namespace US3L.Notebook;

/// <summary>
/// A tensor as HTML: shape, dtype and device, summary statistics, and a table of the leading
/// values (the first matrix of a higher-dimensional tensor). Bounded work and size at any shape.
/// </summary>
internal static class TensorHtml
{
    private const int MaxRows = 8, MaxColumns = 10;

    public static string Format(Tensor tensor)
    {
        if (tensor.IsDisposed) return "<div class=\"us3l-tensor\"><code>tensor(disposed)</code></div>";
        long[] shape = tensor.shape;
        var html = new StringBuilder("<div class=\"us3l-tensor\">");
        html.Append("<div><b>tensor</b> <code>[").Append(string.Join(", ", shape)).Append("]</code> ")
            .Append(tensor.dtype.Name()).Append(" on ").Append(WebUtility.HtmlEncode(tensor.device.ToString()));
        if (tensor.requires_grad) html.Append(", requires_grad");
        html.Append("</div>");
        if (tensor.numel() > 0 && tensor.dtype != ScalarType.BFloat16)
        {
            using var scope = torch.NewDisposeScope();
            Tensor values = tensor.detach().to(ScalarType.Float64, Device.CPU);
            if (tensor.numel() > 1 && tensor.dtype != ScalarType.Bool) AppendStats(html, values);
            AppendTable(html, values, shape);
        }
        return html.Append("</div>").ToString();
    }

    private static void AppendStats(StringBuilder html, Tensor values)
    {
        Tensor flat = values.reshape(-1);
        html.Append("<div>min ").Append(Number(flat.min().item<double>()))
            .Append(" · max ").Append(Number(flat.max().item<double>()))
            .Append(" · mean ").Append(Number(flat.mean().item<double>()))
            .Append("</div>");
    }

    /// <summary>A 0-d tensor as one cell, 1-d as one row, otherwise the leading matrix.</summary>
    private static void AppendTable(StringBuilder html, Tensor values, long[] shape)
    {
        Tensor matrix = values;
        string where = "";
        while (matrix.dim() > 2)
        {
            matrix = matrix.select(0, 0);
            where += "0, ";
        }
        if (where.Length > 0) html.Append("<div>values [").Append(where).Append(":, :]</div>");
        if (matrix.dim() < 2) matrix = matrix.reshape(1, -1);
        long rows = matrix.size(0), columns = matrix.size(1);
        int shownRows = (int)Math.Min(rows, MaxRows), shownColumns = (int)Math.Min(columns, MaxColumns);
        double[] cells = matrix.narrow(0, 0, shownRows).narrow(1, 0, shownColumns).contiguous().ToArray<double>();
        html.Append("<table>");
        for (int r = 0; r < shownRows; r++)
        {
            html.Append("<tr>");
            for (int c = 0; c < shownColumns; c++) html.Append("<td>").Append(Number(cells[r * shownColumns + c])).Append("</td>");
            if (columns > shownColumns) html.Append("<td>…</td>");
            html.Append("</tr>");
        }
        if (rows > shownRows) html.Append("<tr><td colspan=\"").Append(shownColumns).Append("\">… ").Append(rows - shownRows).Append(" more rows</td></tr>");
        html.Append("</table>");
    }

    private static string Number(double v) => v.ToString("G5", CultureInfo.InvariantCulture);
}
