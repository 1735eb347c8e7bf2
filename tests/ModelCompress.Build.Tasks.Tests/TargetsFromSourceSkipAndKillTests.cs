using ModelCompress.Build.TestInfrastructure;

namespace ModelCompress.Build.Tasks.Tests;

/// <summary>
/// The targets from source against the fake tool (see <see cref="TargetsFromSourceTests"/>): a killed build, and
/// builds that must do no work. A separate class so xunit runs it beside the other one.
/// </summary>
public sealed class TargetsFromSourceSkipAndKillTests
{
    private const string Recipe = "version: 1\nmodels:\n  - name: tiny\n    source: models/tiny.onnx\n";
    private const string Work = "_ModelCompressRun";

    [Fact]
    public void A_killed_build_leaves_nothing_that_a_later_build_treats_as_up_to_date()
    {
        using var p = new SourceTargetsProject();
        p.Write("models/tiny.onnx", "model");
        p.Write("compression.yaml", Recipe);
        p.Build().ShouldSucceed();
        p.Write("compression.yaml", Recipe + "# fake: sleep 60\n");

        var build = p.StartBuild();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (p.Runs < 2 && DateTime.UtcNow < deadline && !build.Process.HasExited)
        {
            Thread.Sleep(100);
        }

        Assert.Equal(2, p.Runs);
        build.Process.Kill(entireProcessTree: true);
        build.Wait(60);
        Assert.Empty(p.Manifests());

        p.Write("compression.yaml", Recipe);
        var next = p.Build().ShouldSucceed();
        Assert.True(next.Ran(Work), next.Output);
        Assert.Equal(["tiny.onnx"], ManifestResources.Names(p.Assembly));
    }

    [Fact]
    public void Disabled_and_design_time_builds_do_no_work()
    {
        using var p = new SourceTargetsProject();
        p.Write("models/tiny.onnx", "model");
        p.Write("compression.yaml", Recipe);

        p.Build("-p:ModelCompressEnabled=false").ShouldSucceed();
        p.Build("-p:DesignTimeBuild=true").ShouldSucceed();

        Assert.Equal(0, p.Runs);
        Assert.Empty(ManifestResources.Names(p.Assembly));
    }
}
