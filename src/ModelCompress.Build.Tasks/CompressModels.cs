using System.Resources;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelCompress.Build.Tasks;

/// <summary>
/// Runs <c>dotnet ModelCompress.Cli.dll run &lt;recipe&gt;</c> for one recipe and turns the tool's canonical
/// diagnostics into coded MSBuild errors and warnings at the recipe's line and column.
/// </summary>
/// <remarks>
/// The work runs in a child process, never inside MSBuild's node, for three reasons: ONNX Runtime is a native library
/// that must not be loaded (and can never be unloaded) in a node that lives on after the build; models and
/// calibration data are big, and a node reused across builds would keep that memory; and the engine's managed
/// dependencies (protobuf, YAML, ONNX Runtime's wrapper) would otherwise share a process with other packages'
/// tasks. This is what ILLink and Grpc.Tools do. The task itself only validates its inputs, builds the command
/// line and maps the result.
/// </remarks>
public sealed partial class CompressModels : ToolTask
{
    internal static readonly ResourceManager Messages =
        new("ModelCompress.Build.Tasks.Resources.Messages", typeof(CompressModels).Assembly);

    /// <summary>Creates the task with the MC7xxx message resources.</summary>
    public CompressModels()
        : base(Messages)
    {
        // Default stdout importance is Low; the tool prints its short summary there and it belongs in -v:n logs.
        StandardOutputImportance = nameof(MessageImportance.Normal);
    }

    /// <summary>The recipe (<c>compression.yaml</c>) to run.</summary>
    [Required]
    public string Recipe { get; set; } = "";

    /// <summary>The folder that receives the compressed models and report.json.</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>The tool's entry assembly, <c>ModelCompress.Cli.dll</c>, shipped in the package's tools folder.</summary>
    [Required]
    public string ToolAssembly { get; set; } = "";

    /// <summary>The file the tool writes last on success, listing every output; the build's up-to-date marker.</summary>
    [Required]
    public string ManifestFile { get; set; } = "";

    /// <summary>The file the tool writes on success, listing every input it read.</summary>
    [Required]
    public string DepFile { get; set; } = "";

    /// <summary>The per-layer cache folder (optional).</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>
    /// The shared remote cache's container URL (optional; the tool also reads <c>MODELCOMPRESS_REMOTE_CACHE</c>). Never a
    /// credential: the tool takes that from the environment the build runs in.
    /// </summary>
    public string? RemoteCache { get; set; }

    /// <summary>Whether an accuracy regression fails the build (true) or is reported as a warning (false).</summary>
    public bool FailOnRegression { get; set; } = true;

    /// <summary>The project folder: the tool's working directory and the root recipe paths may not escape.</summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>The dotnet executable to run the tool with; default: the one running the build, else PATH.</summary>
    public string? DotNetHostPath { get; set; }

    /// <inheritdoc />
    protected override string ToolName => Path.DirectorySeparatorChar == '\\' ? "dotnet.exe" : "dotnet";

    /// <inheritdoc />
    public override bool Execute()
    {
        var ran = base.Execute();
        if (ran && ExitCode == 0 && !File.Exists(ManifestFile))
        {
            LogRecipeError("MC7009", ManifestFile);
        }
        else if (!ran && !Log.HasLoggedErrors)
        {
            // Killed, timed out or cancelled by MSBuild: ToolTask only warns, but nothing was built.
            LogRecipeError("MC7008", ExitCode);
        }

        return !Log.HasLoggedErrors;
    }
}
