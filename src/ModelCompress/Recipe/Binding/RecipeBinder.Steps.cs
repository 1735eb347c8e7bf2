using System.Collections.Immutable;

namespace ModelCompress.Recipe;

/// <summary>The <c>steps:</c> list: the step-name dispatch, smoothquant, quantize and exclusion lists.</summary>
internal sealed partial class RecipeBinder
{
    private static readonly string[] StepNames = ["smoothquant", "quantize", "prune", "distill", "share"];
    private static readonly string[] SmoothQuantKeys = ["alpha", "alpha_range", "alpha_step", "combine", "fold", "headroom"];
    private static readonly string[] QuantizeKeys =
        ["mode", "weights", "activations", "per_channel", "symmetric_weights", "method", "percentile", "block_size", "exclude", "algorithm", "percdamp"];

    /// <summary>
    /// A step is <c>- name: { settings }</c>, <c>- name:</c> (all defaults) or a bare <c>- name</c>.
    /// <paramref name="nameNode"/> is where the name was written.
    /// </summary>
    private StepRecipe? BindStep(YNode item, string model, out YNode? nameNode)
    {
        nameNode = null;
        YScalar name;
        YNode? settings = null;
        switch (item)
        {
            case YScalar { IsNull: false } bare:
                name = bare;
                break;
            case YMapping { Entries.Count: 1 } single:
                (name, settings) = (single.Entries[0].Key, single.Entries[0].Value);
                break;
            case YMapping many:
                var keys = string.Join(", ", many.Entries.Select(e => $"'{e.Key.Value}'"));
                _report.Error("MC2010", item, many.Entries.Count == 0 ? "is empty" : $"has the keys {keys}");
                return null;
            case YError:
                return null;
            default:
                _report.Error("MC2010", item, $"is {item.Describe()}");
                return null;
        }

        nameNode = name;
        if (Array.IndexOf(StepNames, name.Value) < 0)
        {
            _report.Error("MC2009", name, name.Value, KeySuggester.Hint(name.Value, StepNames, "Steps are"));
            return null;
        }

        YMapping map;
        if (settings is null or YScalar { IsNull: true })
        {
            // "- quantize:" with nothing after it: every default.
            map = new YMapping([], name.Line, name.Column);
        }
        else if (settings is YMapping m)
        {
            map = m;
        }
        else
        {
            ScalarReader.WrongType(settings, name.Value, ValueKind.Mapping, _report);
            return null;
        }

        var context = $"'{name.Value}' of {model}";
        var at = _report.At(name);
        return name.Value switch
        {
            "smoothquant" => BindSmoothQuant(new MappingScope(map, context, SmoothQuantKeys, _report), at),
            "quantize" => BindQuantize(new MappingScope(map, context, QuantizeKeys, _report), at),
            "prune" => BindPrune(new MappingScope(map, context, PruneKeys, _report), at),
            "distill" => BindDistill(new MappingScope(map, context, DistillKeys, _report), at),
            _ => BindShare(new MappingScope(map, context, ShareKeys, _report), at),
        };
    }

    private SmoothQuantStep BindSmoothQuant(MappingScope s, SourceLocation at)
    {
        double? alpha = SmoothQuantStep.DefaultAlpha;
        if (s.ValueOf("alpha") is { } alphaNode)
        {
            if (alphaNode is YScalar { Value: "auto" })
            {
                alpha = null;
            }
            else if (alphaNode is YScalar { IsNull: false } a && ScalarReader.TryParseNumber(a.Value, out _))
            {
                alpha = s.Number("alpha", NumberRange.Unit) ?? SmoothQuantStep.DefaultAlpha;
            }
            else
            {
                ScalarReader.WrongType(alphaNode, "alpha", ValueKind.AlphaValue, _report);
            }
        }

        var (low, high) = (0.3, 0.7);
        var step = 0.05;
        var combine = AlphaCombine.Mean;
        if (alpha is not null)
        {
            const string why = "to a fixed alpha, only to 'alpha: auto'";
            s.NotApplicable("alpha_range", why);
            s.NotApplicable("alpha_step", why);
            s.NotApplicable("combine", why);
        }
        else
        {
            (low, high) = BindAlphaRange(s) ?? (low, high);
            step = s.Number("alpha_step", new NumberRange(0, 1, MinOpen: true)) ?? step;
            if (step > high - low && s.ValueOf("alpha_step") is { } stepNode)
            {
                _report.Error("MC2007", stepNode, "alpha_step", NumberRange.Format(step),
                    new NumberRange(0, high - low, MinOpen: true).Describe("a number"));
            }

            combine = s.Choice("combine", RecipeChoices.Combines) ?? combine;
        }

        var fold = s.Bool("fold") ?? true;
        var autoHeadroom = s.ValueOf("headroom") is YScalar { Value: "auto" };
        if (autoHeadroom && alpha is not null)
        {
            s.NotApplicable("headroom", "as 'auto' to a fixed alpha, only to 'alpha: auto' (it is chosen on the rows the alpha search captures)");
        }

        var headroom = autoHeadroom ? SmoothQuantStep.DefaultAutoHeadroom : s.Number("headroom", new NumberRange(1, 1000)) ?? (alpha is null ? SmoothQuantStep.DefaultAutoHeadroom : 1);
        return new SmoothQuantStep(alpha, low, high, step, combine, fold, at) { Headroom = headroom, AutoHeadroom = autoHeadroom && alpha is null };
    }

    private (double Low, double High)? BindAlphaRange(MappingScope s)
    {
        if (s.ValueOf("alpha_range") is not { } node)
        {
            return null;
        }

        if (node is not YSequence { Items.Count: 2 } pair)
        {
            _report.Error("MC2006", node, "alpha_range", "a list of two numbers", node.Describe(), "Write [low, high], e.g. [0.3, 0.7].");
            return null;
        }

        if (!ScalarReader.TryNumber(pair.Items[0], "alpha_range[0]", NumberRange.Unit, _report, out var lo)
            | !ScalarReader.TryNumber(pair.Items[1], "alpha_range[1]", NumberRange.Unit, _report, out var hi))
        {
            return null;
        }

        if (lo >= hi)
        {
            _report.Error("MC2007", pair.Items[1], "alpha_range[1]", NumberRange.Format(hi),
                new NumberRange(lo, 1, MinOpen: true).Describe("a number"));
            return null;
        }

        return (lo, hi);
    }

    private QuantizeStep BindQuantize(MappingScope s, SourceLocation at)
    {
        var writtenMode = s.Choice("mode", RecipeChoices.Modes);
        var weights = s.Choice("weights", RecipeChoices.WeightType) ?? QuantizeWeightType.Int8;
        var mode = writtenMode ?? (weights == QuantizeWeightType.Int4 ? QuantizeMode.WeightOnly : QuantizeMode.Static);
        var activations = s.Choice("activations", RecipeChoices.ActivationType) ?? QuantizeActivationType.UInt8;
        var perChannel = s.Bool("per_channel") ?? true;
        var symmetric = s.Bool("symmetric_weights") ?? true;
        var method = s.Choice("method", RecipeChoices.RangeMethod) ?? ActivationRangeMethod.MinMax;
        var percentile = s.Number("percentile", new NumberRange(0, 100, MinOpen: true)) ?? QuantizeStep.DefaultPercentile;
        var blockSize = s.Integer("block_size", new NumberRange(16, 4096)) ?? QuantizeStep.DefaultBlockSize;
        if (s.ValueOf("block_size") is { } bs && !int.IsPow2(blockSize))
        {
            // Block-wise int4 kernels (e.g. ONNX Runtime's MatMulNBits) take power-of-two blocks of at least 16.
            _report.Error("MC2007", bs, "block_size", blockSize, "a power of two from 16 to 4096 (16, 32, 64, 128, ...)");
        }

        var modeName = RecipeChoices.Modes.Name(mode);
        if (mode == QuantizeMode.WeightOnly)
        {
            s.NotApplicable("activations", "when 'mode' is weight_only (activations stay float)");
        }

        if (mode != QuantizeMode.Static)
        {
            s.NotApplicable("method", $"when 'mode' is {modeName}; ranges come from calibration only in static mode");
        }

        if (mode != QuantizeMode.Static || method != ActivationRangeMethod.Percentile)
        {
            s.NotApplicable("percentile", "unless 'mode' is static and 'method' is percentile");
        }

        if (weights != QuantizeWeightType.Int4)
        {
            s.NotApplicable("block_size", "to int8 weights, only to 'weights: int4'");
        }

        var (algorithm, percdamp) = BindInt4(s, weights, mode);
        return new QuantizeStep(mode, weights, activations, perChannel, symmetric, method, percentile, blockSize, BindExclude(s), at)
        {
            Algorithm = algorithm,
            PercDamp = percdamp,
        };
    }

    /// <summary><c>exclude:</c> entries: a node name, <c>op:&lt;OpType&gt;</c> or <c>re:&lt;regex&gt;</c>.</summary>
    private ImmutableArray<ExcludePattern> BindExclude(MappingScope s)
    {
        if (s.List("exclude") is not { } list)
        {
            return [];
        }

        var result = ImmutableArray.CreateBuilder<ExcludePattern>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            var node = list.Items[i];
            if (!ScalarReader.TryText(node, $"exclude[{i}]", _report, out var text))
            {
                continue;
            }

            var (kind, value) = text switch
            {
                _ when text.StartsWith("op:", StringComparison.Ordinal) => (ExcludeKind.OpType, text[3..]),
                _ when text.StartsWith("re:", StringComparison.Ordinal) => (ExcludeKind.Regex, text[3..]),
                _ => (ExcludeKind.Name, text),
            };
            if (value.Length == 0)
            {
                _report.Error("MC2035", node, text);
                continue;
            }

            try
            {
                result.Add(new ExcludePattern(kind, value, _report.At(node)));
            }
            catch (ArgumentException ex)
            {
                _report.Error("MC2024", node, value, ex.Message.TrimEnd('.'));
            }
        }

        return result.ToImmutable();
    }
}
