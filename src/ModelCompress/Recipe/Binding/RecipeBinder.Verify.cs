using System.Collections.Immutable;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Recipe;

/// <summary><c>verify:</c> and its thresholds, each checked for exactly the bounds its metric can take.</summary>
internal sealed partial class RecipeBinder
{
    private static readonly string[] VerifyKeys =
    [
        "data", "samples", "labels", "thresholds", "severity", "on_regression", "max_fallback_layers", "per_layer",
        "fallback_order",
        "format", "tokenizer", "seq_len", "input", "outputs",
    ];

    private static readonly string[] ThresholdKeys = ["metric", "min", "max", "max_drop", "max_increase"];

    /// <summary>
    /// The bounds each metric takes, with their ranges. Higher-is-better metrics take min (and accuracy a drop
    /// from fp32); error metrics take max; perplexity takes an absolute max or a relative increase over fp32.
    /// </summary>
    private static readonly Dictionary<VerifyMetric, (string Key, NumberRange Range)[]> MetricBounds = new()
    {
        [VerifyMetric.Top1Agreement] = [("min", NumberRange.Unit)],
        [VerifyMetric.Accuracy] = [("min", NumberRange.Unit), ("max_drop", NumberRange.Unit)],
        [VerifyMetric.Cosine] = [("min", new NumberRange(-1, 1))],
        [VerifyMetric.MaxAbsError] = [("max", NumberRange.NonNegative)],
        [VerifyMetric.MeanAbsError] = [("max", NumberRange.NonNegative)],
        [VerifyMetric.Perplexity] = [("max", new NumberRange(1, double.PositiveInfinity)), ("max_increase", NumberRange.NonNegative)],
        [VerifyMetric.SnrDb] = [("min", NumberRange.Any)],
    };

    private VerifySettings? BindVerify(YMapping node, string model, DataSource? calibration)
    {
        var s = new MappingScope(node, $"'verify' of {model}", VerifyKeys, _report);
        var data = BindData(s, calibration);
        var samples = s.Integer("samples", NumberRange.AtLeast(1));
        string? labels = null;
        if (s.ValueOf("labels") is { } labelsNode && ResolvePath(labelsNode, "labels", PathUse.InputFile, out var full) is not null)
        {
            labels = full;
        }

        var severity = s.Choice("severity", RecipeChoices.Severity) ?? DiagnosticSeverity.Error;
        var action = s.Choice("on_regression", RecipeChoices.OnRegression) ?? RegressionAction.Fail;
        var maxFallback = s.Integer("max_fallback_layers", new NumberRange(1, 100_000)) ?? VerifySettings.DefaultMaxFallbackLayers;
        if (action != RegressionAction.Fallback)
        {
            s.NotApplicable("max_fallback_layers", "unless 'on_regression' is fallback");
        }

        var order = s.Choice("fallback_order", RecipeChoices.FallbackOrders) ?? FallbackOrder.Snr;
        if (action != RegressionAction.Fallback)
        {
            s.NotApplicable("fallback_order", "unless 'on_regression' is fallback");
        }

        var perLayer = s.Bool("per_layer") ?? true;
        var thresholds = BindThresholds(s, data, hasLabels: s.Has("labels"));
        var outputs = BindOutputNames(s);
        return data is null
            ? null
            : new VerifySettings(data, samples, labels, thresholds, severity, action, maxFallback, perLayer, _report.At(node))
            {
                Outputs = outputs,
                OutputsLocation = s.ValueOf("outputs") is { } at ? _report.At(at) : null,
                FallbackOrder = order,
            };
    }

    /// <summary><c>outputs:</c> — a non-empty list of distinct graph output names (checked against the model when it runs).</summary>
    private ImmutableArray<string> BindOutputNames(MappingScope verify)
    {
        if (verify.List("outputs") is not { } list)
        {
            return [];
        }

        if (list.Items.Count == 0)
        {
            _report.Error("MC2033", list, "outputs", "output name, e.g. '[ logits ]'");
            return [];
        }

        var names = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (!ScalarReader.TryText(list.Items[i], $"outputs[{i}]", _report, out var name))
            {
                continue;
            }

            if (names.Contains(name))
            {
                _report.Error("MC2038", list.Items[i], name);
                continue;
            }

            names.Add(name);
        }

        return names.ToImmutable();
    }

    private ImmutableArray<Threshold> BindThresholds(MappingScope verify, DataSource? data, bool hasLabels)
    {
        if (!verify.Require("thresholds", "[ { metric: top1_agreement, min: 0.99 } ]") || verify.List("thresholds") is not { } list)
        {
            return [];
        }

        if (list.Items.Count == 0)
        {
            _report.Error("MC2033", list, "thresholds", "threshold, e.g. '- { metric: top1_agreement, min: 0.99 }'");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<Threshold>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (BindThreshold(list.Items[i], $"thresholds[{i}]", data, hasLabels) is { } t)
            {
                result.Add(t);
            }
        }

        return result.ToImmutable();
    }

    private Threshold? BindThreshold(YNode item, string label, DataSource? data, bool hasLabels)
    {
        if (item is not YMapping map)
        {
            ScalarReader.WrongType(item, label, ValueKind.Mapping, _report);
            return null;
        }

        var s = new MappingScope(map, label, ThresholdKeys, _report);
        if (!s.Require("metric", "top1_agreement") || s.Choice("metric", RecipeChoices.Metric) is not { } metric)
        {
            return null;
        }

        var metricName = RecipeChoices.Metric.Name(metric);
        var allowed = MetricBounds[metric];
        var takes = string.Join(", ", allowed.Select(b => b.Key));
        var values = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (var key in ThresholdKeys.Skip(1))
        {
            var bound = Array.Find(allowed, b => b.Key == key);
            if (bound.Key is null)
            {
                s.NotApplicable(key, $"to metric '{metricName}', which takes: {takes}");
                continue;
            }

            values[key] = s.Number(key, bound.Range);
        }

        if (!allowed.Any(b => s.Has(b.Key)))
        {
            _report.Error("MC2018", map, metricName, takes);
        }

        var metricNode = s.ValueOf("metric");
        if (metric == VerifyMetric.Accuracy && !hasLabels)
        {
            _report.Error("MC2022", metricNode);
        }

        if (metric == VerifyMetric.Perplexity && data is { Format: not DataFormat.Text } d)
        {
            _report.Error("MC2023", metricNode, Path.GetFileName(d.Path), RecipeChoices.Formats.Name(d.Format));
        }

        return new Threshold(
            metric,
            values.GetValueOrDefault("min"),
            values.GetValueOrDefault("max"),
            values.GetValueOrDefault("max_drop"),
            values.GetValueOrDefault("max_increase"),
            _report.At(map));
    }
}
