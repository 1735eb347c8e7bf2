using ModelCompress.Diagnostics;
using ModelCompress.Execution;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Reports;
using ModelCompress.Verification;

namespace ModelCompress.Engine;

/// <summary>The accuracy gate: verification of one model, and the stand-alone <see cref="Verify"/> over existing outputs.</summary>
public static partial class ModelCompressEngine
{
    /// <summary>
    /// Checks existing outputs (<c>&lt;output&gt;/&lt;name&gt;.onnx</c>) against their fp32 sources on the recipe's verify
    /// data, without writing anything. Models without a <c>verify:</c> section are skipped.
    /// </summary>
    public static VerifyResult Verify(Recipe.Recipe recipe, CompressOptions options, IDiagnosticSink sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        var results = new List<ModelVerification>();
        // The same cache as a run's: the fp32 reference's segment outputs are read back instead of recomputed.
        var cache = options.CacheDirectory is { } dir && recipe.Cache.Enabled ? new Cache.DirectoryLayerCache(dir, sink) : null;
        var session = cache is null ? null : new CacheSession(cache, EngineInfo.Version, sink);
        var failing = false;
        var exceeded = false;
        foreach (var model in recipe.Models)
        {
            ct.ThrowIfCancellationRequested();
            if (model.Verify is not { } verify)
            {
                results.Add(new ModelVerification(model.Name, null));
                continue;
            }

            var compressed = Path.Combine(options.OutputDirectory, model.OutputFileName);
            if (!File.Exists(compressed))
            {
                throw EngineDiagnostics.Fail("MC5002", compressed, compressed);
            }

            var fail = options.FailOnRegression ?? verify.Severity == DiagnosticSeverity.Error;
            var candidate = new GateCandidate(Onnx.OnnxModel.Load(compressed), compressed);
            var reference = (model.SourcePath, Onnx.OnnxModel.Load(model.SourcePath));
            var report = VerifyModel(recipe, model, verify, reference, candidate, rebuild: null, fail, options, sink, ct,
                session?.VerificationContext(model.Name) ?? SegmentCacheContext.None);
            results.Add(new ModelVerification(model.Name, report));
            exceeded |= !report.Passed;
            failing |= !report.Passed && fail;
        }

        return new VerifyResult(results, exceeded) { Succeeded = !failing };
    }

    private static VerificationReport VerifyModel(
        Recipe.Recipe recipe,
        ModelRecipe model,
        VerifySettings verify,
        (string Path, Onnx.OnnxModel Model) reference,
        GateCandidate compressed,
        Func<IReadOnlyList<string>, GateCandidate>? rebuild,
        bool failOnRegression,
        CompressOptions options,
        IDiagnosticSink sink,
        CancellationToken ct,
        SegmentCacheContext segments,
        Func<IReadOnlyList<string>, GateMemo?>? memoFor = null) =>
        GateRunner.Run(model, verify, RelativeToRecipe(recipe, verify.Data.Path), reference, compressed, rebuild,
            failOnRegression, options.Progress, sink, ct, segments, memoFor);
}
