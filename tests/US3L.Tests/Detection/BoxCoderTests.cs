using US3L.Detection;

namespace US3L.Tests.Detection;

/// <summary>Runs reference/detection_parity.py: torchvision 0.14's BoxCoder and detection resize on seeded inputs.</summary>
public sealed class DetectionParityFixture() : PyTorchParityFixture("detection_parity.py");

/// <summary>
/// BoxCoder against torchvision's, with the box head's weights (10, 10, 5, 5) and the RPN's
/// (1, 1, 1, 1), in float32 (to 1e-4) and float64 (to 1e-10), decoding codes large enough to be
/// clipped at log(1000/16).
/// </summary>
public class BoxCoderTests(DetectionParityFixture fixture) : IClassFixture<DetectionParityFixture>
{
    [Theory]
    [InlineData("encode")]
    [InlineData("decode")]
    public void MatchesTorchvision(string op)
    {
        var cases = fixture.Data.Cases.Where(c => c.Op == op).ToList();
        Assert.Equal(4, cases.Count);
        foreach (var c in cases)
        {
            using var scope = torch.NewDisposeScope();
            var call = new ParityCall(c.ReadInputs(), c.Kwargs);
            var w = c.Kwargs.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var coder = new BoxCoder((w[0], w[1], w[2], w[3]));
            var actual = op == "encode" ? coder.EncodeSingle(call["reference_boxes"], call["proposals"]) : coder.DecodeSingle(call["rel_codes"], call["boxes"]);
            var expected = c.ReadOutput();
            Assert.Equal(expected.dtype, actual.dtype);
            TensorAssert.Close(expected, actual, expected.dtype == ScalarType.Float32 ? 1e-4 : 1e-10);
        }
    }

    [Fact]
    public void DecodingInvertsEncoding()
    {
        using var scope = torch.NewDisposeScope();
        var proposals = torch.tensor(new double[] { 10, 20, 50, 40, 0, 0, 8, 16 }, 2, 4);
        var targets = torch.tensor(new double[] { 12, 18, 61, 45, 1, -2, 7, 20 }, 2, 4);
        var coder = BoxCoder.BoxHead();
        TensorAssert.Close(targets, coder.DecodeSingle(coder.EncodeSingle(targets, proposals), proposals), 1e-12);
        // Per-image forms: codes split by image, decoded boxes [N, 1, 4].
        var codes = coder.Encode(new[] { targets.narrow(0, 0, 1), targets.narrow(0, 1, 1) }, new[] { proposals.narrow(0, 0, 1), proposals.narrow(0, 1, 1) });
        Assert.Equal(2, codes.Length);
        var decoded = coder.Decode(torch.cat(codes), new[] { proposals.narrow(0, 0, 1), proposals.narrow(0, 1, 1) });
        Assert.Equal(new long[] { 2, 1, 4 }, decoded.shape);
        TensorAssert.Close(targets, decoded.view(2, 4), 1e-12);
    }

    [Fact]
    public void LargeSizeCodesAreClipped()
    {
        using var scope = torch.NewDisposeScope();
        var box = torch.tensor(new double[] { 0, 0, 10, 10 }, 1, 4);
        var decoded = BoxCoder.Rpn().DecodeSingle(torch.tensor(new double[] { 0, 0, 50, 50 }, 1, 4), box);
        // exp(log(1000/16)) * 10 = 625 wide, centred on 5.
        TensorAssert.Close(new[] { 5 - 312.5, 5 - 312.5, 5 + 312.5, 5 + 312.5 }, decoded, tol: 1e-9);
    }
}
