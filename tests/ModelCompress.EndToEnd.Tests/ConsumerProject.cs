using ModelCompress.Build.TestInfrastructure;
using ModelCompress.Onnx;
using SampleModelGenerator;

namespace ModelCompress.EndToEnd.Tests;

/// <summary>
/// A user's console app in a temp folder: a PackageReference to ModelCompress.Build, compression.yaml beside the
/// project, a generated fp32 MLP (SampleModels.Mlp) and validation data.
/// </summary>
internal sealed class ConsumerProject : IDisposable
{
    /// <summary>The recipe; line 6 holds the step (tests that break it rely on that).</summary>
    public const string Recipe = """
        version: 1
        models:
          - name: classifier
            source: models/mlp.onnx
            steps:
              - quantize: { mode: weight_only, weights: int8, per_channel: true }
            verify:
              data: data/validation.npy
              thresholds:
                - { metric: top1_agreement, min: 0.9 }

        """;

    public const string Work = "_ModelCompressRun";

    private readonly TempDir _temp = new();
    private readonly PackedPackages _packages;

    public ConsumerProject(PackedPackages packages, string recipe = Recipe, int validationRows = 256)
    {
        _packages = packages;
        Dir = _temp.Combine("app");
        Write("nuget.config", packages.NuGetConfig);
        Write("app.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelCompress.Build" Version="{packages.Version}" PrivateAssets="all" />
              </ItemGroup>
            </Project>
            """);
        Write("Program.cs", "Console.WriteLine(string.Join(',', typeof(Program).Assembly.GetManifestResourceNames()));\n");
        Write("compression.yaml", recipe);
        Directory.CreateDirectory(Path.Combine(Dir, "models"));
        SampleModels.Mlp(inputSize: 16, hiddenSize: 64, outputSize: 10, hiddenLayers: 2, seed: 7).Save(Path.Combine(Dir, "models", "mlp.onnx"));
        var rng = new DeterministicRandom(11);
        var data = new float[validationRows * 16];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = rng.NextNormal(1f);
        }

        Directory.CreateDirectory(Path.Combine(Dir, "data"));
        Npy.Write(Path.Combine(Dir, "data", "validation.npy"), data, validationRows, 16);
    }

    public string Dir { get; }

    public string RecipePath => Path.Combine(Dir, "compression.yaml");

    public string ModelPath => Path.Combine(Dir, "models", "mlp.onnx");

    public string Assembly => Path.Combine(Dir, "bin", "Debug", "net10.0", "app.dll");

    public string ModelCompressDir => Path.Combine(Dir, "obj", "Debug", "net10.0", "modelcompress");

    public string[] Manifests() => Directory.Exists(ModelCompressDir) ? Directory.GetFiles(ModelCompressDir, "*.manifest") : [];

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>dotnet build at normal verbosity (which logs "Skipping target ..."); restores only when asked.</summary>
    public DotNetCli.Result Build(bool restore = false, params string[] extra) =>
        DotNet(["build", "-v:n", .. DotNetCli.BuildSwitches, .. (restore ? Array.Empty<string>() : ["--no-restore"]), .. extra]);

    public DotNetCli.Running StartBuild(params string[] extra) =>
        DotNetCli.Start(Dir, ["build", "-v:n", "--no-restore", .. DotNetCli.BuildSwitches, .. extra], _packages.Environment);

    public DotNetCli.Result DotNet(IEnumerable<string> args, int timeoutSeconds = 300) =>
        DotNetCli.Run(Dir, args, _packages.Environment, timeoutSeconds);

    public void Dispose() => _temp.Dispose();
}
