using System.Text.Json;
using System.Text.Json.Nodes;

namespace US3L.Kernel.Protocol;

/// <summary>The connection file a Jupyter frontend writes for a kernel it starts.</summary>
internal sealed record ConnectionInfo
{
    public string Transport { get; init; } = "tcp";
    public string Ip { get; init; } = "127.0.0.1";
    public int ShellPort { get; init; }
    public int ControlPort { get; init; }
    public int StdinPort { get; init; }
    public int IopubPort { get; init; }
    public int HbPort { get; init; }
    public string Key { get; init; } = "";
    public string SignatureScheme { get; init; } = "hmac-sha256";

    /// <summary>
    /// Reads the file as a JSON tree, not with JsonSerializer: the reflection serializer's set-up
    /// would cost the kernel's start tens of milliseconds, and nothing else in the kernel needs it.
    /// Keys it does not know are ignored; a missing one keeps its default.
    /// </summary>
    public static ConnectionInfo Load(string path)
    {
        JsonObject file = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
            ?? throw new InvalidDataException($"connection file {path} is not a JSON object");
        var info = new ConnectionInfo
        {
            Transport = Text(file, "transport", path) ?? "tcp",
            Ip = Text(file, "ip", path) ?? "127.0.0.1",
            ShellPort = Port(file, "shell_port", path),
            ControlPort = Port(file, "control_port", path),
            StdinPort = Port(file, "stdin_port", path),
            IopubPort = Port(file, "iopub_port", path),
            HbPort = Port(file, "hb_port", path),
            Key = Text(file, "key", path) ?? "",
            SignatureScheme = Text(file, "signature_scheme", path) ?? "hmac-sha256",
        };
        if (info.SignatureScheme != "hmac-sha256" && info.Key.Length > 0)
            throw new InvalidDataException($"connection file {path}: signature_scheme '{info.SignatureScheme}' is not supported (expected hmac-sha256)");
        return info;
    }

    private static string? Text(JsonObject file, string key, string path) => file[key] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => throw new InvalidDataException($"connection file {path}: {key} must be a string"),
    };

    private static int Port(JsonObject file, string key, string path) => file[key] switch
    {
        null => 0,
        JsonValue value when value.TryGetValue(out int port) => port,
        _ => throw new InvalidDataException($"connection file {path}: {key} must be an integer"),
    };

    /// <summary>The endpoint of one channel; only the address named in the file is bound.</summary>
    public string Endpoint(int port) => Transport == "ipc" ? $"ipc://{Ip}-{port}" : $"{Transport}://{Ip}:{port}";
}
