
namespace ModelCompress.Recipe;

/// <summary>The settings of the Hessian-based methods: int4 GPTQ on <c>quantize</c>, SparseGPT on <c>prune</c>.</summary>
internal sealed partial class RecipeBinder
{
    // λ = percdamp · mean diag(H): 0 would leave a singular H unfactorable, above 1 the Hessian is mostly ignored.
    private static readonly NumberRange PercDampRange = new(0, 1, MinOpen: true);

    /// <summary><c>algorithm</c> and <c>percdamp</c> of a quantize step (int4 weights, or static int8); int4 weights are weight-only (MC2055).</summary>
    private (Int4Algorithm Algorithm, double PercDamp) BindInt4(MappingScope s, QuantizeWeightType weights, QuantizeMode mode)
    {
        var algorithm = s.Choice("algorithm", RecipeChoices.Int4Algorithms) ?? Int4Algorithm.Rtn;
        var percdamp = s.Number("percdamp", PercDampRange) ?? QuantizeStep.DefaultPercDamp;
        if (weights != QuantizeWeightType.Int4 && mode != QuantizeMode.Static)
        {
            s.NotApplicable("algorithm", "to int8 weights unless 'mode' is static (or to 'weights: int4')");
            s.NotApplicable("percdamp", "to int8 weights unless 'mode' is static and 'algorithm' is gptq");
            return (Int4Algorithm.Rtn, QuantizeStep.DefaultPercDamp);
        }

        if (weights != QuantizeWeightType.Int4)
        {
            // Static int8 can round its weights by GPTQ too: the calibration run it needs is already there.
            if (algorithm != Int4Algorithm.Gptq)
            {
                s.NotApplicable("percdamp", "unless 'algorithm' is gptq");
            }

            return (algorithm, percdamp);
        }

        if (mode != QuantizeMode.WeightOnly && s.ValueOf("mode") is YNode modeNode)
        {
            _report.Error("MC2055", modeNode, RecipeChoices.Modes.Name(mode));
        }

        s.NotApplicable("per_channel", "to int4 weights, which have one scale per block of 'block_size' inputs");
        if (algorithm != Int4Algorithm.Gptq)
        {
            s.NotApplicable("percdamp", "unless 'algorithm' is gptq");
        }

        return (algorithm, percdamp);
    }

    /// <summary><c>percdamp</c> and <c>block_size</c> of a prune step: SparseGPT's only.</summary>
    private (double PercDamp, int BlockSize) BindSparseGpt(MappingScope s, PruneMethod method, SparsityPattern? pattern)
    {
        if (method != PruneMethod.SparseGpt)
        {
            s.NotApplicable("percdamp", "unless 'method' is sparsegpt");
            s.NotApplicable("block_size", "unless 'method' is sparsegpt");
            return (PruneStep.DefaultPercDamp, PruneStep.DefaultBlockSize);
        }

        var percdamp = s.Number("percdamp", PercDampRange) ?? PruneStep.DefaultPercDamp;
        var blockSize = s.Integer("block_size", new NumberRange(1, 65_536)) ?? PruneStep.DefaultBlockSize;
        if (pattern is not null && s.KeyOf("block_size") is { } key)
        {
            // With N:M the mask is chosen per group of M inputs; a mask block would be ignored.
            _report.Error("MC2056", key, pattern);
        }

        return (percdamp, blockSize);
    }
}
