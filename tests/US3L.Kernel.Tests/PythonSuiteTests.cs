namespace US3L.Kernel.Tests;

/// <summary>
/// The kernel process tested from the outside through real Jupyter clients: the official
/// conformance suite, notebooks through jupyter_client and nbclient, and hostile input.
/// </summary>
public class PythonSuiteTests
{
    [Fact]
    public void JupyterKernelTestConformanceSuitePasses() => AssertPasses("test_conformance");

    [Fact]
    public void EndToEndThroughJupyterClientAndNbclient() => AssertPasses("test_end_to_end");

    [Fact]
    public void KernelSurvivesBadSignaturesMalformedAndUnknownMessages() => AssertPasses("test_robustness");

    [Fact]
    public void ThousandGeneratedHostileMessagesAreRejectedLoggedAndNeverRun() => AssertPasses("test_fuzz");

    [Fact]
    public void PolyglotMagicsDisplayHelpersAndNuGetPackagesWork() => AssertPasses("test_polyglot");

    private static void AssertPasses(string module)
    {
        var (exitCode, output) = KernelUnderTest.RunPythonSuite(module);
        Assert.True(exitCode == 0, $"python suite {module} failed (exit {exitCode}):\n{output}");
    }
}
