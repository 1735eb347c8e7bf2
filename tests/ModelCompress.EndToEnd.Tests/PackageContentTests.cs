using System.IO.Compression;
using System.Xml.Linq;

namespace ModelCompress.EndToEnd.Tests;

/// <summary>What build/pack.sh puts in the two packages: both task builds, and the metadata a package gallery expects.</summary>
[Collection(PackedCollection.Name)]
public sealed class PackageContentTests(PackedPackages packages)
{
    private static XElement Nuspec(ZipArchive zip)
    {
        using var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream).Root!;
    }

    private static string? Field(XElement nuspec, string name) =>
        nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    [Theory]
    [InlineData("ModelCompress.Build")]
    [InlineData("ModelCompress.Cli")]
    public void Each_package_has_a_license_expression_a_readme_and_its_repository_commit(string id)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(packages.Folder, $"{id}.{packages.Version}.nupkg"));
        var nuspec = Nuspec(zip);

        var license = nuspec.Descendants().Single(e => e.Name.LocalName == "license");
        Assert.Equal(("expression", "MIT"), (license.Attribute("type")?.Value, license.Value));
        Assert.Equal("PACKAGE.md", Field(nuspec, "readme"));
        Assert.Contains(zip.Entries, e => e.FullName == "PACKAGE.md");
        var repository = nuspec.Descendants().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? string.Empty);
        Assert.False(string.IsNullOrWhiteSpace(Field(nuspec, "description")));
    }

    [Fact]
    public void The_build_package_carries_the_task_for_dotnet_framework_and_for_dotnet()
    {
        using var zip = ZipFile.OpenRead(Path.Combine(packages.Folder, $"ModelCompress.Build.{packages.Version}.nupkg"));
        var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("tasks/net472/ModelCompress.Build.Tasks.dll", names);
        Assert.Contains("tasks/net10.0/ModelCompress.Build.Tasks.dll", names);
        Assert.Contains("tools/net10.0/any/ModelCompress.Cli.dll", names);
        Assert.DoesNotContain(names, n => n.StartsWith("tools/net472/", StringComparison.Ordinal)); // one tool, run by both
        Assert.DoesNotContain(names, n => n.EndsWith("Microsoft.Build.Utilities.Core.dll", StringComparison.Ordinal));
    }

    [Fact]
    public void The_tool_has_a_symbol_package_with_its_pdb()
    {
        var snupkg = Path.Combine(packages.Folder, $"ModelCompress.Cli.{packages.Version}.snupkg");
        Assert.True(File.Exists(snupkg), snupkg);
        using var zip = ZipFile.OpenRead(snupkg);
        Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/ModelCompress.Cli.pdb", StringComparison.Ordinal));
    }
}
