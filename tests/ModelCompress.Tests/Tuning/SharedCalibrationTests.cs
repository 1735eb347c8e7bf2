using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Cache;
using ModelCompress.Tests.Engine;
using ModelCompress.Tests.Importers;

namespace ModelCompress.Tests.Tuning;

/// <summary>
/// Tuning candidates that calibrate the same model share one calibration pass gathering the union of their requests
/// (<see cref="SharedCalibration"/>), on stories260K (imported from the llama2.c fixture, cut into segments). What a
/// candidate gets must be exactly what its own request gathers, and a tuned build must write the bytes of a plain
/// run of the chosen steps.
/// </summary>
public sealed class SharedCalibrationTests
{
    [Fact]
    public void Statistics_projected_from_a_union_pass_are_the_bytes_each_request_gathers_alone()
    {
        using var p = new StoriesCacheProject();
        var model = p.LoadRecipe().Models[0];
        var onnx = OnnxModel.Load(model.SourcePath);
        var names = GraphAnalyzer.Analyze(onnx).Layers.Select(l => l.InputName).Distinct(StringComparer.Ordinal).ToList();
        var options = new CompressOptions(p.PathOf("out"));
        IReadOnlyDictionary<string, LayerInputStatistics> Collect(LayerStatisticsRequest r) =>
            ModelCompressEngine.CollectStatistics(model, model.Steps[0], onnx, names, options, CancellationToken.None, r);
        var union = new LayerStatisticsRequest(Histogram: true, CaptureRows: 64, SumSquares: true, Hessian: true);
        var gathered = Collect(union);

        LayerStatisticsRequest[] narrow = [LayerStatisticsRequest.MinMax, new(Histogram: true), new(CaptureRows: 64), new(SumSquares: true), new(Hessian: true)];
        foreach (var request in narrow)
        {
            Assert.True(SharedCalibration.Covers(union, request));
            var alone = Collect(request);
            foreach (var name in names)
            {
                Assert.Equal(alone[name].ToBytes(), SharedCalibration.Project(gathered[name], request).ToBytes());
            }
        }

        // Rows are spread over the samples by count: another count is not in the union.
        Assert.False(SharedCalibration.Covers(union, new LayerStatisticsRequest(CaptureRows: 32)));
        Assert.False(SharedCalibration.Covers(LayerStatisticsRequest.MinMax, new LayerStatisticsRequest(Histogram: true)));
    }

    [Fact]
    public void Candidates_on_the_same_model_calibrate_once_and_the_choice_has_the_bytes_of_a_plain_run()
    {
        using var p = new TestProject();
        p.AddModel("models/stories.onnx", ModelCompress.Importers.Llama2cImporter.Import(StoriesFixture.CheckpointPath, StoriesFixture.TokenizerPath));
        var text = Fixtures.Require("data/tinyshakespeare/input.txt");
        string Recipe(string body, string min = "0.5") => $$"""
            version: 1
            allow_outside: true
            models:
              - name: stories
                source: models/stories.onnx
                calibration: { data: {{text}}, tokenizer: {{StoriesFixture.TokenizerPath}}, seq_len: 64, samples: 4 }
            {{body}}
                verify:
                  data: {{text}}
                  samples: 2
                  per_layer: false
                  thresholds:
                    - { metric: top1_agreement, min: {{min}} }
            """;

        // Objective accuracy tries every candidate: three of them calibrate the source model (minmax, percentile
        // histograms, SmoothQuant's ranges), one the smoothed model.
        string[] candidates =
        [
            "[ quantize: { mode: static } ]",
            "[ quantize: { mode: static, method: percentile } ]",
            "[ smoothquant: { alpha: 0.5 }, quantize: { mode: static } ]",
        ];
        p.WriteRecipe(Recipe("    tune:\n      objective: accuracy\n      candidates:\n" + string.Concat(candidates.Select(c => $"        - {c}\n"))));
        var sink = new ListDiagnosticSink();
        var tuned = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")) { CacheDirectory = p.PathOf("cache") },
            sink, CancellationToken.None);

        Assert.True(tuned.Succeeded, string.Join("\n", sink.Items));
        var tuning = tuned.Report.Models[0].Tuning!;
        Assert.Equal(3, tuning.Trials.Count);
        var ranOnnxRuntime = tuned.Report.Timings.Models[0].Cache!.Lookups.Count(l => l.Kind == "calibration" && l.SegmentsRun > 0);
        Assert.True(ranOnnxRuntime == 2, string.Join("\n", tuned.Report.Timings.Models[0].Cache!.Lookups.Where(l => l.Kind == "calibration")
            .Select(l => $"{l.Step} hit={l.Hit} segments={l.Segments} run={l.SegmentsRun}")));

        // The chosen steps as a plain recipe, without a cache: the same bytes.
        var steps = candidates[tuning.Chosen - 1].Trim('[', ']', ' ').Replace("}, ", "}\n      - ", StringComparison.Ordinal);
        p.WriteRecipe(Recipe("    steps:\n      - " + steps));
        var plain = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("plain")), new ListDiagnosticSink(), CancellationToken.None);
        Assert.True(plain.Succeeded);
        Assert.Equal(File.ReadAllBytes(p.PathOf("out/stories.onnx")), File.ReadAllBytes(p.PathOf("plain/stories.onnx")));

        // Another threshold: the decision is not read back and every trial runs again, but each candidate finds the
        // statistics it stored (the union passes themselves stored nothing): ONNX Runtime calibrates nothing.
        p.WriteRecipe(Recipe("    tune:\n      objective: accuracy\n      candidates:\n" + string.Concat(candidates.Select(c => $"        - {c}\n")), "0.45"));
        var again = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("again")) { CacheDirectory = p.PathOf("cache") },
            new ListDiagnosticSink(), CancellationToken.None);
        Assert.True(again.Succeeded);
        Assert.False(again.Report.Models[0].Tuning!.FromCache);
        Assert.Equal(3, again.Report.Models[0].Tuning!.Trials.Count);
        var calibrations = again.Report.Timings.Models[0].Cache!.Lookups.Where(l => l.Kind == "calibration").ToList();
        // One look-up per calibrating step of each trial (1 + 1 + 2) and of the build of the chosen steps: none for a
        // union (an earlier version stored the unions and looked them up as well).
        var chosenSteps = again.Report.Models[0].Tuning!.Chosen == 3 ? 2 : 1;
        Assert.True(calibrations.Count == 4 + chosenSteps, string.Join("\n", calibrations));
        Assert.All(calibrations, l => Assert.True(l.Hit && (l.SegmentsRun ?? 0) == 0, $"{l.Step} hit={l.Hit} run={l.SegmentsRun}"));
        Assert.Equal(File.ReadAllBytes(p.PathOf("out/stories.onnx")), File.ReadAllBytes(p.PathOf("again/stories.onnx")));
    }
}
