using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

public class FixturesSmokeTests
{
    [Fact]
    public void Fixtures_folder_is_found()
    {
        Assert.True(Directory.Exists(Fixtures.Root));
    }
}
