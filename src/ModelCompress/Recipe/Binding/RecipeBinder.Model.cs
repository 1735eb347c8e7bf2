using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace ModelCompress.Recipe;

/// <summary>One <c>models:</c> entry: name, source, calibration, steps (with order rules) and verify.</summary>
internal sealed partial class RecipeBinder
{
    private static readonly string[] ModelKeys = ["name", "source", "calibration", "steps", "verify", "tune"];

    private ModelRecipe? BindModel(YNode item, int index, Dictionary<string, YNode> names)
    {
        var label = $"models[{index}]";
        if (item is not YMapping map)
        {
            ScalarReader.WrongType(item, label, ValueKind.Mapping, _report);
            return null;
        }

        var errorsBefore = _report.ErrorCount;

        // The scope's context names the model, so peek at the name before the scope checks the keys.
        var context = map.Find("name")?.Value is YScalar { IsNull: false } n ? $"model '{n.Value}'" : label;
        var scope = new MappingScope(map, context, ModelKeys, _report);
        var name = BindModelName(scope, names);
        var source = RequiredPath(scope, "source", PathUse.Model, "models/model.onnx", out _);

        CalibrationSettings? calibration = null;
        if (scope.Mapping("calibration") is { } calibrationNode)
        {
            calibration = BindCalibration(calibrationNode, scope.Context);
        }

        // A calibration section with errors of its own still counts as present: no second error for each step.
        // With 'tune:' the build chooses the steps, so 'steps:' is left out (MC2101 when both are given).
        var steps = scope.Has("tune") && !scope.Has("steps") ? [] : BindSteps(scope, hasCalibration: scope.Has("calibration"));

        VerifySettings? verify = null;
        if (scope.Mapping("verify") is { } verifyNode)
        {
            verify = BindVerify(verifyNode, scope.Context, calibration?.Data);
        }

        var tune = BindTuneOf(scope);
        if (_report.ErrorCount != errorsBefore || name is null || source is null)
        {
            return null;
        }

        // "teacher: source" means this model's own source, known only now.
        steps = [.. steps.Select(st => st is DistillStep { TeacherIsSource: true } d ? d with { TeacherPath = source } : st)];
        var sourceNode = scope.ValueOf("source")!;
        return new ModelRecipe(name, source, calibration, steps, verify, _report.At(map), _report.At(sourceNode)) { Tune = tune };
    }

    private string? BindModelName(MappingScope scope, Dictionary<string, YNode> names)
    {
        if (!scope.Require("name", "encoder"))
        {
            return null;
        }

        var key = scope.KeyOf("name")!;
        var value = scope.ValueOf("name")!;
        if (!ScalarReader.TryText(value, "name", _report, out var name))
        {
            return null;
        }

        if (!ModelName().IsMatch(name) || name.Trim('.').Length == 0)
        {
            _report.Error("MC2012", value, name);
            return null;
        }

        // Output files are <name>.onnx; names equal but for case would collide on Windows and macOS.
        if (names.TryGetValue(name, out var first))
        {
            _report.Error("MC2011", value, name, first.Line);
            return null;
        }

        names.Add(name, key);
        return name;
    }

    private ImmutableArray<StepRecipe> BindSteps(MappingScope model, bool hasCalibration)
    {
        if (!model.Require("steps", "[ quantize ]") || model.List("steps") is not { } list)
        {
            return [];
        }

        if (list.Items.Count == 0)
        {
            _report.Error("MC2033", list, "steps", "step (smoothquant, quantize, prune, distill or share)");
            return [];
        }

        return BindStepList(list, model.Context, hasCalibration);
    }

    /// <summary>The steps of one list (<c>steps:</c> or a <c>tune</c> candidate), with the order rules checked.</summary>
    private ImmutableArray<StepRecipe> BindStepList(YSequence list, string context, bool hasCalibration)
    {
        var steps = ImmutableArray.CreateBuilder<StepRecipe>();
        var stepNodes = new List<YNode>();
        foreach (var item in list.Items)
        {
            var errorsBefore = _report.ErrorCount;
            if (BindStep(item, context, out var nameNode) is { } step)
            {
                step = ResolveStructuredImportance(step, hasCalibration);
                steps.Add(step);
                stepNodes.Add(nameNode!);

                // A step whose own settings were wrong fell back to defaults; judging those would only add noise.
                if (!hasCalibration && _report.ErrorCount == errorsBefore && NeedsCalibration(step))
                {
                    _report.Error("MC2021", nameNode, step.Kind, context);
                }
            }
        }

        CheckStepOrder(steps, stepNodes);
        CheckStorageAgreement(steps, stepNodes);
        return steps.ToImmutable();
    }

    private static bool NeedsCalibration(StepRecipe step) => step switch
    {
        SmoothQuantStep => true,
        QuantizeStep q => q.Mode == QuantizeMode.Static || q.Algorithm == Int4Algorithm.Gptq,
        PruneStep p => p.NeedsCalibration,
        DistillStep => true,
        _ => false,
    };

    /// <summary>
    /// At most one smoothquant and one quantize; smoothquant only rescales, so it must precede the quantize step that
    /// benefits from it, and without one that quantizes activations it achieves nothing (a warning).
    /// </summary>
    private void CheckStepOrder(IList<StepRecipe> steps, List<YNode> nodes)
    {
        var firstOfKind = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
        {
            var kind = steps[i].Kind;
            if (kind is "smoothquant" or "quantize" && firstOfKind.TryGetValue(kind, out var first))
            {
                _report.Error("MC2027", nodes[i], kind, nodes[first].Line);
            }

            firstOfKind.TryAdd(kind, i);
        }

        if (!firstOfKind.TryGetValue("smoothquant", out var sq))
        {
            return;
        }

        if (firstOfKind.TryGetValue("quantize", out var q) && q < sq)
        {
            _report.Error("MC2026", nodes[sq], "smoothquant", "quantize", nodes[q].Line);
            return;
        }

        var helped = steps.Skip(sq + 1).OfType<QuantizeStep>().Any(s => s.Mode != QuantizeMode.WeightOnly);
        if (!helped)
        {
            _report.Warning("MC2028", nodes[sq]);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ModelName();
}
