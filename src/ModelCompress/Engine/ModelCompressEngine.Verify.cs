using ModelCompress.Engine.Verification;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Reports;

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
                throw EngineErrors.Fail("MC5002", compressed, compressed);
            }

            var fail = options.FailOnRegression ?? verify.Severity == DiagnosticSeverity.Error;
            var report = VerifyModel(recipe, model, verify, model.SourcePath, compressed, fail, options, sink, ct);
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
        string referencePath,
        string compressedPath,
        bool failOnRegression,
        CompressOptions options,
        IDiagnosticSink sink,
        CancellationToken ct)
    {
        var data = verify.Data;
        if (data.Format == DataFormat.Text)
        {
            throw EngineErrors.FailAt("MC3015", data.Location.File, data.Location.Line, data.Location.Column, "text", "verification");
        }

        var thresholds = verify.Thresholds.Select(ToGate).ToList();
        var metrics = ModelVerifier.Compare(
            model.Name,
            referencePath,
            compressedPath,
            data.Path,
            verify.LabelsPath,
            verify.Samples ?? long.MaxValue,
            (done, total) => options.Progress?.Invoke(new CompressProgress(model.Name, "verify", done, total)),
            ct,
            data.Input,
            data.Format);
        var outcomes = AccuracyGate.Evaluate(model.Name, metrics, thresholds, failOnRegression, sink);
        var passed = outcomes.All(o => o.Passed);
        if (!passed && verify.OnRegression == RegressionAction.Fallback)
        {
            sink.Report(EngineErrors.Catalog.Create("MC5006", DiagnosticSeverity.Warning,
                verify.Location.File, verify.Location.Line, verify.Location.Column, model.Name));
        }

        return new VerificationReport(RelativeToRecipe(recipe, data.Path), metrics, outcomes, passed);
    }

    private static GateThreshold ToGate(Threshold t) => new(
        t.Metric switch
        {
            VerifyMetric.Top1Agreement => "top1_agreement",
            VerifyMetric.Accuracy => "accuracy",
            VerifyMetric.Cosine => "cosine",
            VerifyMetric.MaxAbsError => "max_abs_error",
            VerifyMetric.MeanAbsError => "mean_abs_error",
            VerifyMetric.Perplexity => "perplexity",
            VerifyMetric.SnrDb => "snr_db",
            _ => t.Metric.ToString(),
        },
        t.Min,
        t.Max,
        t.MaxDrop,
        t.MaxIncrease,
        t.Location.File,
        t.Location.Line,
        t.Location.Column);
}
