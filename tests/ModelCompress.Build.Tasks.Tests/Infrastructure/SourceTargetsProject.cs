using ModelCompress.Build.TestInfrastructure;
using ModelCompress.Testing;

namespace ModelCompress.Build.Tasks.Tests;

/// <summary>
/// A throw-away console project that imports ModelCompress.Build.props/.targets straight from the source tree and
/// runs TestAssets/fake-model-compress.sh (with /bin/sh) in place of the real tool: the targets' logic is tested in
/// seconds, without packing and without the engine.
/// </summary>
internal sealed class SourceTargetsProject : IDisposable
{
    private static readonly string BuildDir = Path.Combine(Fixtures.RepoRoot, "src", "ModelCompress.Build.Tasks", "build");
    private static readonly string FakeTool = Path.Combine(AppContext.BaseDirectory, "TestAssets", "fake-model-compress.sh");
    private static readonly string TaskAssembly = Path.Combine(AppContext.BaseDirectory, "ModelCompress.Build.Tasks.dll");
    private readonly TempDir _temp = new();

    public SourceTargetsProject(string extraProjectXml = "")
    {
        Dir = _temp.Combine("app");
        Directory.CreateDirectory(Dir);
        // Restore of a project without packages needs no feed; an empty source list keeps the test offline.
        Write("nuget.config", "<configuration><packageSources><clear /></packageSources></configuration>");
        Write("app.csproj", $"""
            <Project>
              <Import Project="{BuildDir}/ModelCompress.Build.props" />
              <Import Project="Sdk.props" Sdk="Microsoft.NET.Sdk" />
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <ModelCompressTaskAssembly>{TaskAssembly}</ModelCompressTaskAssembly>
                <ModelCompressToolAssembly>{FakeTool}</ModelCompressToolAssembly>
                <ModelCompressDotNetHost>/bin/sh</ModelCompressDotNetHost>
              </PropertyGroup>
              {extraProjectXml}
              <Import Project="Sdk.targets" Sdk="Microsoft.NET.Sdk" />
              <Import Project="{BuildDir}/ModelCompress.Build.targets" />
            </Project>
            """);
        Write("Program.cs", "Console.WriteLine(string.Join(',', typeof(Program).Assembly.GetManifestResourceNames()));\n");
        RunLog = _temp.Combine("runs.log");
    }

    public string Dir { get; }

    /// <summary>One line per tool run (the fake appends to it).</summary>
    public string RunLog { get; }

    public int Runs => File.Exists(RunLog) ? File.ReadAllLines(RunLog).Length : 0;

    public string IntermediateDir => Path.Combine(Dir, "obj", "Debug", "net10.0");

    public string ModelCompressDir => Path.Combine(IntermediateDir, "modelcompress");

    public string Assembly => Path.Combine(Dir, "bin", "Debug", "net10.0", "app.dll");

    public string Write(string relative, string text) => _temp.Write(Path.Combine("app", relative), text);

    public string Path_(string relative) => Path.Combine(Dir, relative);

    public DotNetCli.Result Build(params string[] extra) =>
        DotNetCli.Run(Dir, ["build", "-v:n", .. DotNetCli.BuildSwitches, .. extra], Env);

    public DotNetCli.Running StartBuild(params string[] extra) =>
        DotNetCli.Start(Dir, ["build", "-v:n", .. DotNetCli.BuildSwitches, .. extra], Env);

    public DotNetCli.Result Clean() => DotNetCli.Run(Dir, ["clean", .. DotNetCli.BuildSwitches], Env);

    private Dictionary<string, string> Env => new() { ["FAKE_RUN_LOG"] = RunLog };

    /// <summary>Every *.manifest under the modelcompress folder.</summary>
    public string[] Manifests() =>
        Directory.Exists(ModelCompressDir) ? Directory.GetFiles(ModelCompressDir, "*.manifest") : [];

    public void Dispose() => _temp.Dispose();
}
