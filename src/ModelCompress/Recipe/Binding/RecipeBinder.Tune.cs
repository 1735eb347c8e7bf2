using System.Collections.Immutable;

namespace ModelCompress.Recipe;

/// <summary><c>tune:</c>: objective, budget and candidates (explicit step lists, or the engine's default space).</summary>
internal sealed partial class RecipeBinder
{
    private static readonly string[] TuneKeys = ["objective", "max_trials", "max_seconds", "candidates"];

    private static Choices<TuneObjective> Objectives { get; } = new(
        ("size", TuneObjective.Size), ("latency", TuneObjective.Latency), ("accuracy", TuneObjective.Accuracy));

    /// <summary>The model's <c>tune:</c> section, or null when absent (or wrong: reported).</summary>
    private TuneSettings? BindTuneOf(MappingScope model)
    {
        if (model.Mapping("tune") is not { } node)
        {
            return null;
        }

        var key = model.KeyOf("tune")!;
        if (model.KeyOf("steps") is { } stepsKey)
        {
            // Two sources of steps: a fixed list would silently override the search, or the reverse.
            _report.Error("MC2101", stepsKey, model.Context, key.Line);
        }

        // Tuning judges candidates by the gate; a verify section with errors of its own was reported already.
        if (!model.Has("verify"))
        {
            _report.Error("MC2100", key, model.Context);
        }

        var s = new MappingScope(node, $"'tune' of {model.Context}", TuneKeys, _report);
        var objective = s.Choice("objective", Objectives) ?? TuneObjective.Size;
        var maxTrials = s.Integer("max_trials", new NumberRange(1, 10_000)) ?? TuneSettings.DefaultMaxTrials;
        var maxSeconds = s.Number("max_seconds", new NumberRange(0, 7 * 24 * 3600, MinOpen: true));
        var candidates = BindCandidates(s, model.Has("calibration"));
        return new TuneSettings(objective, maxTrials, maxSeconds, candidates, _report.At(key));
    }

    private ImmutableArray<TuneCandidate> BindCandidates(MappingScope s, bool hasCalibration)
    {
        if (s.List("candidates") is not { } list)
        {
            return [];
        }

        if (list.Items.Count == 0)
        {
            _report.Error("MC2033", list, "candidates", "candidate (a list of steps)");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<TuneCandidate>();
        var seen = new Dictionary<string, (int Index, int Line)>(StringComparer.Ordinal);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var item = list.Items[i];
            if (item is not YSequence steps)
            {
                ScalarReader.WrongType(item, $"candidates[{i}]", ValueKind.List, _report);
                continue;
            }

            if (steps.Items.Count == 0)
            {
                _report.Error("MC2033", steps, $"candidates[{i}]", "step (smoothquant, quantize, prune, distill or share)");
                continue;
            }

            var errorsBefore = _report.ErrorCount;
            var bound = BindStepList(steps, $"candidate {i + 1} of 'tune'", hasCalibration);
            if (_report.ErrorCount != errorsBefore)
            {
                continue;
            }

            var candidate = new TuneCandidate(bound, _report.At(steps));
            if (seen.TryGetValue(candidate.Fingerprint, out var first))
            {
                // Two equal candidates waste a trial and make "candidate N won" ambiguous.
                _report.Error("MC2102", steps, i + 1, first.Index + 1, first.Line);
                continue;
            }

            seen.Add(candidate.Fingerprint, (i, steps.Line));
            result.Add(candidate);
        }

        return result.ToImmutable();
    }
}
