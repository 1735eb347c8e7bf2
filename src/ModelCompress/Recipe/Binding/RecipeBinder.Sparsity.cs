using System.Globalization;

namespace ModelCompress.Recipe;

/// <summary>The prune, distill and share steps.</summary>
internal sealed partial class RecipeBinder
{
    private static readonly string[] PruneKeys =
        ["method", "sparsity", "pattern", "exclude", "scope", "rank", "steps", "learning_rate", "percdamp", "block_size", "targets", "importance", "storage"];
    private static readonly string[] DistillKeys = ["method", "teacher", "epochs", "learning_rate", "rows"];
    private static readonly string[] ShareKeys = ["method", "clusters", "rank", "energy", "exclude"];

    private PruneStep BindPrune(MappingScope s, SourceLocation at)
    {
        var method = s.Choice("method", RecipeChoices.PruneMethods) ?? PruneMethod.Magnitude;
        var sparsity = s.Number("sparsity", NumberRange.OpenUnit);
        var pattern = BindPattern(s);
        if (method == PruneMethod.Structured)
        {
            s.NotApplicable("pattern", "to structured pruning, which removes whole channels");
            pattern = null;
        }
        else if (method == PruneMethod.NM && !s.Has("pattern"))
        {
            s.Require("pattern", "\"2:4\"");
        }

        if (method != PruneMethod.Structured)
        {
            s.NotApplicable("targets", "to 'method: structured' only");
            s.NotApplicable("importance", "to 'method: structured' only");
        }

        if (pattern is not null)
        {
            // The pattern fixes the sparsity; a different explicit value would be silently ignored otherwise.
            if (sparsity is { } given && Math.Abs(given - pattern.Sparsity) > 1e-9)
            {
                _report.Error("MC2031", s.ValueOf("sparsity"), NumberRange.Format(given), pattern, NumberRange.Format(pattern.Sparsity));
            }

            sparsity = pattern.Sparsity;
        }
        else if (sparsity is null && !s.Has("sparsity") && !s.Has("pattern") && method != PruneMethod.NM)
        {
            s.Require("sparsity", "0.5");
        }

        var (percdamp, blockSize) = BindSparseGpt(s, method, pattern);
        var step = new PruneStep(method, sparsity ?? 0.5, pattern, BindExclude(s), at)
        {
            Scope = BindPruneScope(s, method, pattern),
            Pst = BindPst(s, method),
            PercDamp = percdamp,
            BlockSize = blockSize,
            Storage = s.Choice("storage", RecipeChoices.SparseStorages),
        };
        return method == PruneMethod.Structured ? BindStructured(s, step) : step;
    }

    private SparsityPattern? BindPattern(MappingScope s)
    {
        if (s.ValueOf("pattern") is not { } node || !ScalarReader.TryText(node, "pattern", _report, out var text))
        {
            return null;
        }

        var parts = text.Split(':');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            && n >= 1 && n < m && m <= 256)
        {
            return new SparsityPattern(n, m);
        }

        _report.Error("MC2025", node, text);
        return null;
    }

    private DistillStep BindDistill(MappingScope s, SourceLocation at)
    {
        var method = s.Choice("method", RecipeChoices.DistillMethods) ?? DistillMethod.Layerwise;
        var teacher = DistillStep.SourceTeacher;
        var teacherPath = string.Empty;
        if (s.ValueOf("teacher") is { } node && node is not YScalar { Value: DistillStep.SourceTeacher })
        {
            var written = ResolvePath(node, "teacher", PathUse.Model, out var full);
            teacher = written ?? teacher;
            teacherPath = written is null ? string.Empty : full!;
        }

        var epochs = s.Integer("epochs", new NumberRange(1, 10_000)) ?? DistillStep.DefaultEpochs;
        var rate = s.Number("learning_rate", new NumberRange(0, 1, MinOpen: true)) ?? DistillStep.DefaultLearningRate;
        var rows = s.Integer("rows", new NumberRange(16, 1 << 20)) ?? DistillStep.DefaultRows;
        return new DistillStep(method, teacher, teacherPath, epochs, rate, at, rows);
    }

    private ShareStep BindShare(MappingScope s, SourceLocation at)
    {
        if (!s.Require("method", "cluster"))
        {
            return new ShareStep(ShareMethod.Cluster, ShareStep.DefaultClusters, null, null, [], at);
        }

        var method = s.Choice("method", RecipeChoices.ShareMethods) ?? ShareMethod.Cluster;
        int? clusters = null;
        int? rank = null;
        double? energy = null;
        if (method == ShareMethod.Cluster)
        {
            // Cluster indices are stored in a byte, hence at most 256 shared values per layer.
            clusters = s.Integer("clusters", new NumberRange(2, 256)) ?? ShareStep.DefaultClusters;
            s.NotApplicable("rank", "to 'method: cluster', only to lowrank");
            s.NotApplicable("energy", "to 'method: cluster', only to lowrank");
        }
        else
        {
            s.NotApplicable("clusters", "to 'method: lowrank', only to cluster");
            rank = s.Integer("rank", new NumberRange(1, 1 << 20));
            energy = s.Number("energy", new NumberRange(0, 1, MinOpen: true));
            if (s.KeyOf("rank") is not null && s.KeyOf("energy") is { } energyKey)
            {
                _report.Error("MC2032", energyKey, "rank", "energy");
            }

            if (!s.Has("rank") && !s.Has("energy"))
            {
                energy = ShareStep.DefaultEnergy;
            }
        }

        return new ShareStep(method, clusters, rank, energy, BindExclude(s), at);
    }
}
