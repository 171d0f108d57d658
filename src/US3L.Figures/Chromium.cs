using Microsoft.Playwright;

namespace US3L.Figures;

/// <summary>
/// The system's headless Chromium (Debian's /usr/bin/chromium, or <c>US3L_CHROMIUM</c>) driven by
/// Playwright. Playwright never downloads a browser here: it is always given this executable.
/// </summary>
public static class Chromium
{
    public const string EnvironmentVariable = "US3L_CHROMIUM";
    public const string DefaultPath = "/usr/bin/chromium";

    /// <summary>Headless, no sandbox (containers run as root), and nothing that reaches the network.</summary>
    public static IReadOnlyList<string> Flags { get; } =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>The browser executable, or a clear error saying how to install it.</summary>
    public static string ExecutablePath
    {
        get
        {
            string path = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } p ? p : DefaultPath;
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException(
                    $"Chromium was not found at {path}: install it with ./build.sh setup (Debian package chromium) " +
                    $"or set {EnvironmentVariable} to a Chromium executable.", path);
        }
    }

    /// <summary>Starts a headless browser; dispose it (and <paramref name="playwright"/>) when done.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Flags,
        });
}
