using System.Text.Json;
using US3L.Kernel.Protocol;

namespace US3L.Kernel.Tests;

/// <summary>The connection file as jupyter_client writes it, and the ways a broken one is refused.</summary>
public sealed class ConnectionInfoTests : IDisposable
{
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("us3l-connection-").FullName, "kernel.json");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);

    private ConnectionInfo Load(string json)
    {
        File.WriteAllText(_path, json);
        return ConnectionInfo.Load(_path);
    }

    [Fact]
    public void A_jupyter_client_file_is_read_field_by_field()
    {
        var info = Load("""
            {"shell_port": 50001, "iopub_port": 50002, "stdin_port": 50003, "control_port": 50004, "hb_port": 50005,
             "ip": "127.0.0.1", "key": "a0b1-c2", "transport": "tcp", "signature_scheme": "hmac-sha256",
             "kernel_name": "us3l-csharp", "jupyter_session": "/tmp/x.ipynb"}
            """);
        Assert.Equal(new ConnectionInfo
        {
            ShellPort = 50001, IopubPort = 50002, StdinPort = 50003, ControlPort = 50004, HbPort = 50005,
            Ip = "127.0.0.1", Key = "a0b1-c2", Transport = "tcp", SignatureScheme = "hmac-sha256",
        }, info);
        Assert.Equal("tcp://127.0.0.1:50001", info.Endpoint(info.ShellPort));
    }

    [Fact]
    public void Missing_keys_keep_their_defaults()
    {
        var info = Load("""{"transport": "ipc", "ip": "/tmp/kernel", "shell_port": 1}""");
        Assert.Equal("ipc:///tmp/kernel-1", info.Endpoint(info.ShellPort));
        Assert.Equal(("", "hmac-sha256", 0), (info.Key, info.SignatureScheme, info.HbPort));
    }

    [Theory]
    [InlineData("""{"shell_port": "50001"}""", "shell_port must be an integer")]
    [InlineData("""{"shell_port": 1.5}""", "shell_port must be an integer")]
    [InlineData("""{"key": 7}""", "key must be a string")]
    [InlineData("""[1, 2]""", "is not a JSON object")]
    [InlineData("""{"key": "k", "signature_scheme": "hmac-md5"}""", "signature_scheme 'hmac-md5' is not supported")]
    public void A_broken_file_is_refused_naming_the_key(string json, string problem) =>
        Assert.Contains(problem, Assert.Throws<InvalidDataException>(() => Load(json)).Message);

    [Fact]
    public void A_file_that_is_not_json_fails_as_json() =>
        Assert.ThrowsAny<JsonException>(() => Load("{shell_port: "));
}
