using System.Net;
using System.Text.Json.Nodes;
using US3L.Kernel.Display;

namespace US3L.Kernel.Packages;

/// <summary>The display of a <c>#r "nuget: ..."</c> cell: the packages asked for, then what they brought along.</summary>
internal sealed record InstalledPackages(IReadOnlyList<InstalledPackage> Packages) : IMimeContent
{
    public JsonObject Bundle()
    {
        var requested = Packages.Where(p => p.Requested).ToList();
        var dependencies = Packages.Where(p => !p.Requested).ToList();
        string text = "Installed packages: " + string.Join(", ", requested.Select(p => $"{p.Name} {p.Version}"));
        if (dependencies.Count > 0) text += "\nwith dependencies: " + string.Join(", ", dependencies.Select(p => $"{p.Name} {p.Version}"));
        string html = "<div><strong>Installed Packages</strong><ul>"
            + string.Concat(requested.Select(p => $"<li><span>{WebUtility.HtmlEncode(p.Name)}, {WebUtility.HtmlEncode(p.Version)}</span></li>"))
            + "</ul>"
            + (dependencies.Count > 0
                ? "<details><summary>with dependencies</summary><ul>" + string.Concat(dependencies.Select(p => $"<li>{WebUtility.HtmlEncode(p.Name)}, {WebUtility.HtmlEncode(p.Version)}</li>")) + "</ul></details>"
                : "")
            + "</div>";
        return new JsonObject { ["text/plain"] = text, ["text/html"] = html };
    }
}
