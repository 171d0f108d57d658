using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using US3L.Kernel.Protocol;

namespace US3L.Kernel.Tests;

public class WireCodecTests
{
    private static Message Sample() => Message.Create("kernel_info_request", new JsonObject { ["x"] = 1 }, null, "s", [[1, 2, 3]]);

    [Fact]
    public void RoundTripKeepsIdentitiesAndContent()
    {
        var codec = new WireCodec("secret");
        Message back = codec.Decode(codec.Encode(Sample()));
        Assert.Equal([1, 2, 3], back.Identities.Single());
        Assert.Equal("kernel_info_request", back.MsgType);
        Assert.Equal(1, (int?)back.Content["x"]);
    }

    [Fact]
    public void SignatureIsHexHmacSha256OfTheFourJsonFrames()
    {
        var frames = new WireCodec("secret").Encode(Sample());
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes("secret"));
        byte[] expected = hmac.ComputeHash(frames[3].Concat(frames[4]).Concat(frames[5]).Concat(frames[6]).ToArray());
        Assert.Equal(Convert.ToHexStringLower(expected), Encoding.ASCII.GetString(frames[2]));
    }

    [Fact]
    public void TamperedUnsignedAndMalformedMessagesAreRejected()
    {
        var codec = new WireCodec("secret");
        var tampered = codec.Encode(Sample());
        tampered[^1] = Encoding.UTF8.GetBytes("{\"x\":2}");
        Assert.Contains("bad HMAC", Assert.Throws<InvalidDataException>(() => codec.Decode(tampered)).Message);

        var unsigned = new WireCodec("").Encode(Sample());
        Assert.Contains("not signed", Assert.Throws<InvalidDataException>(() => codec.Decode(unsigned)).Message);

        var noDelimiter = new List<byte[]> { "x"u8.ToArray() };
        Assert.Contains("delimiter", Assert.Throws<InvalidDataException>(() => codec.Decode(noDelimiter)).Message);

        var noMsgType = Message.Create("x", [], null, "s");
        noMsgType.Header.Remove("msg_type");
        Assert.Contains("header.msg_type is missing", Assert.Throws<InvalidDataException>(() => codec.Decode(codec.Encode(noMsgType))).Message);

        var badJson = new WireCodec("").Encode(Sample());
        badJson[^1] = "{nope"u8.ToArray();
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => new WireCodec("").Decode(badJson)).Message);
    }

    [Fact]
    public void AReplayedSignatureIsRejected()
    {
        var codec = new WireCodec("secret");
        var frames = codec.Encode(Sample());
        codec.Decode(frames);
        Assert.Contains("replayed message", Assert.Throws<InvalidDataException>(() => codec.Decode(frames)).Message);
        codec.Decode(codec.Encode(Sample()));
    }

    [Fact]
    public void FramesAreTheBytesJsonSerializerWrites()
    {
        var content = new JsonObject
        {
            ["text"] = "<b>&'\"</b> é — 😀 \u0001\n\t",
            ["numbers"] = new JsonArray(0, -1, 2.5, 1e300, long.MaxValue),
            ["nested"] = new JsonObject { ["yes"] = true, ["no"] = false, ["none"] = null, ["empty"] = new JsonArray() },
        };
        var message = Message.Create("execute_result", content, Sample(), "s");
        var frames = new WireCodec("secret").Encode(message);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(message.Header), frames[3]);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(message.ParentHeader), frames[4]);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(message.Content), frames[6]);
    }

    [Fact]
    public void OversizedMessagesAreRejectedBeforeParsing()
    {
        var codec = new WireCodec("secret", maxMessageBytes: 1000);
        var frames = codec.Encode(Message.Create("execute_request", new JsonObject { ["code"] = new string('x', 2000) }, null, "s"));
        Assert.Contains("exceeds the limit of 1000 bytes", Assert.Throws<InvalidDataException>(() => codec.Decode(frames)).Message);
    }

    [Theory]
    [InlineData("execute_request", "{\"code\": 5}", "execute_request: content.code must be a string, got a number")]
    [InlineData("execute_request", "{\"silent\": false}", "execute_request: content.code is missing")]
    [InlineData("execute_request", "{\"code\": \"1\", \"user_expressions\": []}", "execute_request: content.user_expressions must be an object, got an array")]
    [InlineData("shutdown_request", "{\"restart\": \"yes\"}", "shutdown_request: content.restart must be true or false, got a string")]
    [InlineData("complete_request", "{\"code\": \"a\", \"cursor_pos\": 1.5}", "complete_request: content.cursor_pos must be an integer, got a number")]
    public void MistypedRequestContentIsNamed(string msgType, string content, string problem) =>
        Assert.Equal(problem, RequestSchema.Problem(msgType, (JsonObject)JsonNode.Parse(content)!));

    [Fact]
    public void WellTypedRequestsPass()
    {
        Assert.Null(RequestSchema.Problem("execute_request", new JsonObject { ["code"] = "1", ["silent"] = false, ["user_expressions"] = new JsonObject() }));
        Assert.Null(RequestSchema.Problem("complete_request", new JsonObject { ["code"] = "a", ["cursor_pos"] = null }));
        Assert.Null(RequestSchema.Problem("some_future_request", new JsonObject { ["x"] = 1 }));
    }
}
