using ModelCompress.Build.TestInfrastructure;
using ModelCompress.Testing;

namespace ModelCompress.EndToEnd.Tests;

/// <summary>
/// Packs both packages once per test run with build/pack.sh into a temp folder, and gives every test the same
/// private NuGet package folder, so the package is extracted once and the machine's own cache is never touched.
/// </summary>
public sealed class PackedPackages : IDisposable
{
    private readonly TempDir _root = new();

    public PackedPackages()
    {
        Folder = _root.Combine("packages");
        Cache = _root.Combine("nuget-packages");
        var pack = DotNetCli.Exec("bash", Fixtures.RepoRoot, [Path.Combine(Fixtures.RepoRoot, "build", "pack.sh"), Folder], timeoutSeconds: 900);
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException($"build/pack.sh failed ({pack.ExitCode}):\n{pack.Output}");
        }

        var nupkg = Directory.GetFiles(Folder, "ModelCompress.Build.*.nupkg").Single();
        Version = Path.GetFileNameWithoutExtension(nupkg)["ModelCompress.Build.".Length..];
        Assert.True(File.Exists(Path.Combine(Folder, $"ModelCompress.Cli.{Version}.nupkg")), "pack.sh wrote no ModelCompress.Cli package");
    }

    /// <summary>The folder holding the fresh .nupkg files.</summary>
    public string Folder { get; }

    /// <summary>The private NUGET_PACKAGES folder every build uses.</summary>
    public string Cache { get; }

    public string Version { get; }

    /// <summary>Only the fresh packages: the test projects need nothing else, and nothing may come from elsewhere.</summary>
    public string NuGetConfig => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="fresh" value="{Folder}" />
          </packageSources>
        </configuration>
        """;

    /// <summary>
    /// The private package folder, and a private CLI home: the local-tool resolver cache lives there and would
    /// otherwise remember, machine-wide, where an earlier run extracted this same package version.
    /// </summary>
    public Dictionary<string, string> Environment => new()
    {
        ["NUGET_PACKAGES"] = Cache,
        ["DOTNET_CLI_HOME"] = _root.Combine("cli-home"),
    };

    public void Dispose() => _root.Dispose();
}

/// <summary>One packing for all end-to-end tests; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackedCollection : ICollectionFixture<PackedPackages>
{
    public const string Name = "packed packages";
}
