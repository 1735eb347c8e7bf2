using ModelCompress.Verification;

namespace ModelCompress.Tests.Verification;

/// <summary>Each end-to-end metric on hand-made outputs whose values are worked out here, independently of the accumulator.</summary>
public sealed class MetricAccumulatorTests
{
    // Two samples of two rows (predictions) of three classes each.
    private static readonly float[] Ref1 = [1, 5, 2, 3, 0, 0];
    private static readonly float[] Cmp1 = [1, 4, 2, 3, 1, 0];
    private static readonly float[] Ref2 = [0, 0, 2, 7, 1, 1];
    private static readonly float[] Cmp2 = [0, 3, 2, 7, 1, 1];

    private static VerificationMetrics Measure(long[]? labels = null)
    {
        var acc = new MetricAccumulator("y", labels);
        acc.Add(Ref1, Cmp1, 3);
        acc.Add(Ref2, Cmp2, 3);
        return acc.Result();
    }

    private static double Cos(float[] a, float[] b) =>
        a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(y => (double)y * y));

    [Fact]
    public void Top1_agreement_counts_rows_whose_argmax_matches()
    {
        var m = Measure();

        // Row argmax: sample 1 → (1,1) and (0,0); sample 2 → (2,1) and (0,0): 3 of 4 rows agree.
        Assert.Equal(4, m.Rows);
        Assert.Equal(2, m.Samples);
        Assert.Equal(0.75, m.Top1Agreement);
    }

    [Fact]
    public void Cosine_is_the_mean_of_per_sample_cosines_and_min_cosine_the_smallest()
    {
        var m = Measure();

        double c1 = Cos(Ref1, Cmp1), c2 = Cos(Ref2, Cmp2);
        Assert.Equal((c1 + c2) / 2, m.Cosine, 12);
        Assert.Equal(Math.Min(c1, c2), m.MinCosine, 12);
        Assert.True(m.MinCosine < m.Cosine);
    }

    [Fact]
    public void Max_and_mean_abs_error_cover_every_element()
    {
        var m = Measure();

        // |differences|: sample 1 → 0,1,0,0,1,0; sample 2 → 0,3,0,0,0,0.
        Assert.Equal(3.0, m.MaxAbsError);
        Assert.Equal(5.0 / 12, m.MeanAbsError, 12);
    }

    [Fact]
    public void Snr_db_is_signal_energy_over_error_energy()
    {
        var m = Measure();

        var signal = Ref1.Concat(Ref2).Sum(v => (double)v * v); // 39 + 55 = 94
        var noise = 1 + 1 + 9.0;
        Assert.Equal(10 * Math.Log10(signal / noise), m.SnrDb, 12);
    }

    [Fact]
    public void Identical_outputs_have_infinite_snr_and_zero_error()
    {
        var acc = new MetricAccumulator("y", null);
        acc.Add(Ref1, Ref1, 3);

        var m = acc.Result();

        Assert.True(double.IsPositiveInfinity(m.SnrDb));
        Assert.Equal(0, m.MaxAbsError);
        Assert.Equal(1, m.Top1Agreement);
        Assert.Null(m.Accuracy);
    }

    [Fact]
    public void Accuracy_compares_both_models_with_the_labels_and_the_drop_is_their_difference()
    {
        // Row argmax: fp32 → 1, 0, 2, 0; compressed → 1, 0, 1, 0.
        var m = Measure(labels: [1, 0, 2, 1]);

        Assert.Equal(0.75, m.ReferenceAccuracy);
        Assert.Equal(0.5, m.Accuracy);
        Assert.Equal(0.25, m.AccuracyDrop!.Value, 12);
    }

    [Fact]
    public void Perplexity_is_exp_of_the_mean_next_token_negative_log_likelihood()
    {
        var acc = new MetricAccumulator("logits", null);

        // Uniform logits over 4 tokens: NLL = ln 4 per token, perplexity exactly 4. The compressed model puts logit 2 on
        // the right token (index 1) of both rows: NLL = ln(3 + e²) − 2.
        float[] uniform = [0, 0, 0, 0, 0, 0, 0, 0];
        float[] sharper = [0, 2, 0, 0, 0, 2, 0, 0];
        acc.AddNextTokenLoss(uniform, sharper, 4, [1, 1]);
        acc.Add(uniform, sharper, 4);

        var m = acc.Result();

        Assert.Equal(4.0, m.ReferencePerplexity!.Value, 9);
        Assert.Equal(Math.Exp(Math.Log(3 + Math.Exp(2)) - 2), m.Perplexity!.Value, 9);
    }

    [Fact]
    public void A_token_outside_the_logits_is_refused()
    {
        var acc = new MetricAccumulator("logits", null);

        Assert.Throws<InvalidOperationException>(() => acc.AddNextTokenLoss(new float[4], new float[4], 4, [4]));
    }
}
