using System.Security.Cryptography;
using System.Text;
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

        var badJson = new WireCodec("").Encode(Sample());
        badJson[^1] = "{nope"u8.ToArray();
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => new WireCodec("").Decode(badJson)).Message);
    }
}
