using System.Diagnostics;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompress.Analysis;
using ModelCompress.Cache;
using ModelCompress.Calibration;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Quantization;
using ModelCompress.Testing;
using Xunit.Abstractions;

namespace ModelCompress.Tests.Execution;

/// <summary>
/// Segmented calibration of the real char-gpt model with a cache: nothing changed reads every segment back; a changed
/// late layer re-runs only the segments from it on, resuming from the stored activations; the bytes equal a fresh run.
/// </summary>
public sealed class SegmentedRunnerTests(ITestOutputHelper output) : IDisposable
{
    private const string LateLayer = "/blocks.5/mlp/fc2/MatMul";
    private const string Version = "test-version";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mc-seg-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    internal static List<IReadOnlyDictionary<string, CarriedTensor>> WikiWindows(OnnxModel model, int count, int offset = 0)
    {
        var bytes = File.ReadAllBytes(Fixtures.Require("data/wikitext-2/valid.txt"));
        var input = model.Graph.Inputs[0].Name;
        return [.. Enumerable.Range(0, count).Select(w =>
        {
            var ids = Enumerable.Range(0, 128).Select(i => (long)bytes[offset + (w * 128) + i]).ToArray();
            return (IReadOnlyDictionary<string, CarriedTensor>)new Dictionary<string, CarriedTensor>
            {
                [input] = new(TensorElementType.Int64, [1, 128], [.. ids.SelectMany(BitConverter.GetBytes)]),
            };
        })];
    }

    private (Dictionary<string, byte[]> Stats, SegmentRunReport Report, double Ms) Calibrate(OnnxModel model, ILayerCache? cache)
    {
        var names = GraphAnalyzer.Analyze(model).Layers.Select(l => l.InputName).Distinct().Order(StringComparer.Ordinal).ToList();
        var request = new LayerStatisticsRequest(Histogram: false, CaptureRows: 64);
        var samples = WikiWindows(model, 4);
        var consumer = new StatisticsConsumer([.. names.Select(n => new CalibrationRequest(n, -1, false, 64))], samples.Count, request, cache);
        var plan = SegmentPlanner.Plan(model, names, SegmentPolicy.Default);
        var clock = Stopwatch.StartNew();
        var report = new SegmentedRunner(cache, Version, SegmentPolicy.Default).Run(plan, samples, consumer,
            new SegmentSessions(b => ActivationCalibrator.OpenSession(b, 1), (e, where) => new InvalidOperationException(where, e)), CancellationToken.None);
        var ms = clock.Elapsed.TotalMilliseconds;
        output.WriteLine($"{report} in {ms:F0} ms");
        return (names.ToDictionary(n => n, n => consumer.Get(n).ToBytes()), report, ms);
    }

    [Fact]
    public void A_changed_late_layer_reruns_only_the_segments_from_it_on_and_every_result_equals_a_fresh_run()
    {
        var cache = new DirectoryLayerCache(_dir);
        var model = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        var first = Calibrate(model, cache);
        Assert.Equal((13, 0, 13, -1), (first.Report.Segments, first.Report.Restored, first.Report.Run, first.Report.ResumedAfter));

        var again = Calibrate(model, cache);
        Assert.Equal((13, 0), (again.Report.Restored, again.Report.Run));
        Assert.Equal(first.Stats, again.Stats);

        // Scale the last MLP's second matrix: its segment (the next-to-last) and the classifier's re-run, from the
        // activations stored after segment 10. Only the classifier reads a value the change moves (fc2 reads the GELU output, upstream of its own weight).
        var changed = model.Clone();
        var node = changed.Graph.Nodes.First(n => n.Name == LateLayer);
        var weight = changed.Graph.Initializers[node.Inputs[1]];
        changed.Graph.SetInitializer(OnnxTensor.FromFloats(weight.Name, weight.Dims, [.. weight.ToFloatArray().Select(v => v * 1.05f)]));
        var late = Calibrate(changed, cache);
        Assert.Equal((11, 2, 10), (late.Report.Restored, late.Report.Run, late.Report.ResumedAfter));
        var fresh = Calibrate(changed, cache: null);
        Assert.Equal(fresh.Stats, late.Stats);
        var moved = first.Stats.Keys.Where(k => !first.Stats[k].AsSpan().SequenceEqual(late.Stats[k])).ToList();
        output.WriteLine($"statistics that moved: {string.Join(", ", moved)}");
        Assert.Equal(["/lm_head/MatMul"], moved.Select(v => changed.Graph.GetConsumers(v)[0].Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Damaged_activations_are_MC6001_and_the_run_resumes_from_an_earlier_cut_with_the_same_results()
    {
        var sink = new ListDiagnosticSink();
        var cache = new DirectoryLayerCache(_dir, sink);
        var model = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        Calibrate(model, cache);
        var activations = Directory.GetFiles(Path.Combine(_dir, "activations"), "*.mce", SearchOption.AllDirectories);
        // The cuts 1, 2, 4 and 8 segments before the end (SegmentPolicy.StoresActivationsAfter): after segments 11, 10, 8, 4.
        Assert.Equal(4, activations.Length);

        // Every cut's activations damaged (truncated, or one bit flipped): none can be trusted, so the changed model runs from the samples.
        for (var i = 0; i < activations.Length; i++)
        {
            var bytes = File.ReadAllBytes(activations[i]);
            if (i % 2 == 0)
            {
                bytes = bytes[..^3];
            }
            else
            {
                bytes[^5] ^= 0x01;
            }

            File.WriteAllBytes(activations[i], bytes);
        }

        var changed = model.Clone();
        var weight = changed.Graph.Initializers[changed.Graph.Nodes.First(n => n.Name == LateLayer).Inputs[1]];
        changed.Graph.SetInitializer(OnnxTensor.FromFloats(weight.Name, weight.Dims, [.. weight.ToFloatArray().Select(v => v * 0.95f)]));
        var late = Calibrate(changed, cache);
        Assert.Equal((11, 13, -1), (late.Report.Restored, late.Report.Run, late.Report.ResumedAfter));
        Assert.Equal(Calibrate(changed, cache: null).Stats, late.Stats);
        var damaged = sink.Items.Where(d => d.Code == "MC6001").Select(d => d.File).ToHashSet();
        Assert.Equal(3, damaged.Count); // the stored cuts before the change (after 10, 8, 4), latest first, each tried once and deleted
        Assert.All(damaged, f => Assert.False(File.Exists(f) && File.ReadAllBytes(f).Length == 0));

        // The run stored fresh activations: a further change resumes after segment 10 again.
        weight = changed.Graph.Initializers[weight.Name];
        changed.Graph.SetInitializer(OnnxTensor.FromFloats(weight.Name, weight.Dims, [.. weight.ToFloatArray().Select(v => v * 0.95f)]));
        Assert.Equal(10, Calibrate(changed, cache).Report.ResumedAfter);
    }

    [Fact]
    public void Segmented_statistics_agree_with_a_whole_model_run_to_float_rounding()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        var names = GraphAnalyzer.Analyze(model).Layers.Select(l => l.InputName).Distinct().Order(StringComparer.Ordinal).ToList();
        var samples = WikiWindows(model, 2);
        var whole = ActivationCalibrator.Collect(model, [.. names.Select(n => new CalibrationRequest(n, -1))],
            new InMemoryCalibrationSource([.. samples.Select(s => (IReadOnlyList<CalibrationInput>)[.. s.Select(p =>
                new CalibrationInput(p.Key, p.Value.Shape, p.Value.Data.Chunk(8).Select(b => BitConverter.ToInt64(b)).ToArray()))])]), 1, CancellationToken.None);
        var consumer = new StatisticsConsumer([.. names.Select(n => new CalibrationRequest(n, -1))], samples.Count, LayerStatisticsRequest.MinMax, null);
        new SegmentedRunner(null, Version, SegmentPolicy.Default).Run(SegmentPlanner.Plan(model, names, SegmentPolicy.Default), samples, consumer,
            new SegmentSessions(b => ActivationCalibrator.OpenSession(b, 1), (e, where) => new InvalidOperationException(where, e)), CancellationToken.None);
        foreach (var name in names)
        {
            var a = whole[name].ChannelAbsMax;
            var b = consumer.Get(name).AbsMax;
            for (var c = 0; c < a.Length; c++)
            {
                Assert.True(Math.Abs(a[c] - b[c]) <= 1e-4f * Math.Max(1f, Math.Abs(a[c])), $"{name}[{c}]: {a[c]} vs {b[c]}");
            }
        }
    }
}
