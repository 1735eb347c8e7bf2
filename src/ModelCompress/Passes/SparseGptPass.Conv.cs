using ModelCompress.Calibration;
using ModelCompress.Pruning;
using ModelCompress.Quantization;

namespace ModelCompress.Passes;

/// <summary>SparseGPT on a Conv kernel seen as a linear layer on its unfolded input patches (<see cref="ConvPatches"/>).</summary>
public sealed partial class SparseGptPass
{
    /// <summary>What a result's fallback text starts with when the layer was left dense (an N:M pattern that does not fit).</summary>
    internal const string LeftDense = "dense:";

    /// <summary>
    /// Prunes a Conv kernel group by group: the output channels of group g form a matrix [M/g, C/g·kh·kw] in the
    /// logical reduction order of <see cref="WeightLayout.Conv"/> (channel innermost, so N:M groups are M input
    /// channels at one kernel position), solved on that group's patch Hessian by the same OBS solver as a MatMul. A
    /// group whose Hessian cannot be factored is pruned by magnitude (same mask rule) and the reason is kept; a
    /// pattern whose M does not divide C/g leaves the layer dense.
    /// </summary>
    private byte[] ComputeConv(PassLayer layer, LayerInputStatistics statistics, ConvPatches patches)
    {
        var layout = WeightLayout.Conv(layer.WeightShape);
        if (_step.Pattern is { } p && !layout.FitsGroupsOf(p.M))
        {
            return Encode(LeftDense + p.M, layer.WeightValues.ToArray());
        }

        var groups = patches.Groups;
        var hessians = groups == 1 && statistics.Hessian is { } single ? [single] : statistics.GroupHessians
            ?? throw new InvalidOperationException($"Layer '{layer.Name}' needs its input patches' Hessian.");
        var k = layout.Cols;
        if (hessians.Count != groups || hessians.Any(h => h.Channels != k))
        {
            throw new InvalidOperationException($"Layer '{layer.Name}': its patch Hessians do not match its {groups} group(s) of {k} inputs.");
        }

        var logical = layout.Gather(layer.WeightValues);
        var perGroup = layout.Rows / groups;
        var (n, m) = _step.Pattern is { } pattern ? (pattern.N, pattern.M) : (0, 0);
        var reasons = new List<string>();
        for (var g = 0; g < groups; g++)
        {
            var rows = new double[perGroup * k];
            for (var i = 0; i < rows.Length; i++)
            {
                rows[i] = logical[(g * perGroup * k) + i];
            }

            InverseHessianFactor? factor = null;
            if (!InverseHessianFactor.TryCreate(patches.HessianToLogical(hessians[g].Matrix()), k, _step.PercDamp, out var f, out var reason))
            {
                reasons.Add(groups == 1 ? reason : FormattableString.Invariant($"group {g}: {reason}"));
            }
            else
            {
                factor = f;
            }

            SparseGptPruner.Prune(rows, perGroup, k, _step.Sparsity, _step.BlockSize, n, m, factor);
            for (var i = 0; i < rows.Length; i++)
            {
                logical[(g * perGroup * k) + i] = (float)rows[i];
            }
        }

        // Many groups (a depthwise Conv) can all fail alike: name the first few.
        var fallback = reasons.Count == 0 ? string.Empty
            : string.Join("; ", reasons.Take(3)) + (reasons.Count > 3 ? FormattableString.Invariant($"; and {reasons.Count - 3} more group(s)") : string.Empty);
        return Encode(fallback, layout.Scatter(logical));
    }
}
