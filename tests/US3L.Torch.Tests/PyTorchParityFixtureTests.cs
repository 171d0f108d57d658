namespace US3L.Torch.Tests;

/// <summary>A missing reference must fail the parity tests with the command that installs it.</summary>
public class PyTorchParityFixtureTests
{
    [Fact]
    public void AMissingInterpreterNamesTheSetupCommand()
    {
        var problem = PyTorchParityFixture.ReferenceProblem("/nonexistent/python3");
        Assert.NotNull(problem);
        Assert.Contains("./build.sh setup", problem);
    }

    [Fact]
    public void AnInterpreterWithoutTorchNamesTheSetupCommand()
    {
        // /bin/false stands for an interpreter whose "import torch" fails.
        var problem = PyTorchParityFixture.ReferenceProblem("/bin/false");
        Assert.NotNull(problem);
        Assert.Contains("cannot import", problem);
        Assert.Contains("./build.sh setup", problem);
    }
}
