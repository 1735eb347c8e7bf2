namespace ModelCompress.Verification;

/// <summary>Streams per-sample outputs of both models into <see cref="VerificationMetrics"/> without keeping them.</summary>
internal sealed class MetricAccumulator
{
    private readonly string _output;
    private readonly long[]? _labels;
    private long _samples, _rows, _agree, _elements, _refCorrect, _cmpCorrect;
    private double _cosineSum, _minCosine = 1, _maxAbs, _absSum, _signal, _noise, _refNll, _cmpNll;
    private long _tokens;

    public MetricAccumulator(string output, long[]? labels)
    {
        _output = output;
        _labels = labels;
    }

    /// <summary>Adds one sample's outputs; <paramref name="lastDim"/> is the size of the output's last axis.</summary>
    public void Add(ReadOnlySpan<float> reference, ReadOnlySpan<float> compressed, long lastDim)
    {
        if (reference.Length != compressed.Length)
        {
            throw new InvalidOperationException($"output sizes differ ({reference.Length} vs {compressed.Length})");
        }

        // Cosine similarity cos(a, b) = a·b / (‖a‖‖b‖), accumulated in double; two zero vectors count as identical.
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            double a = reference[i], b = compressed[i];
            dot += a * b;
            na += a * a;
            nb += b * b;
            var err = Math.Abs(a - b);
            _absSum += err;
            _signal += a * a;
            _noise += err * err;
            if (err > _maxAbs || double.IsNaN(err))
            {
                _maxAbs = err;
            }
        }

        var cosine = na == 0 && nb == 0 ? 1.0 : dot / (Math.Sqrt(na) * Math.Sqrt(nb));
        _cosineSum += cosine;
        _minCosine = Math.Min(_minCosine, cosine);
        _elements += reference.Length;

        var width = (int)Math.Max(1, lastDim);
        var rows = reference.Length / width;
        for (var r = 0; r < rows; r++)
        {
            var refTop = ArgMax(reference.Slice(r * width, width));
            var cmpTop = ArgMax(compressed.Slice(r * width, width));
            if (refTop == cmpTop)
            {
                _agree++;
            }

            if (_labels is not null)
            {
                var label = _labels[_rows + r];
                _refCorrect += refTop == label ? 1 : 0;
                _cmpCorrect += cmpTop == label ? 1 : 0;
            }
        }

        _rows += rows;
        _samples++;
    }

    /// <summary>
    /// Adds the next-token negative log-likelihood of both models: row t of the logits predicts
    /// <paramref name="targets"/>[t], and NLL = log Σ exp(z) − z_target (log-softmax, computed with the max subtracted).
    /// </summary>
    public void AddNextTokenLoss(ReadOnlySpan<float> reference, ReadOnlySpan<float> compressed, long vocab, ReadOnlySpan<long> targets)
    {
        var width = (int)vocab;
        var rows = Math.Min(reference.Length / width, targets.Length);
        for (var t = 0; t < rows; t++)
        {
            var target = (int)targets[t];
            if (target < 0 || target >= width)
            {
                throw new InvalidOperationException($"token id {target} is outside the model's {width} logits");
            }

            _refNll += Nll(reference.Slice(t * width, width), target);
            _cmpNll += Nll(compressed.Slice(t * width, width), target);
        }

        _tokens += rows;
    }

    private static double Nll(ReadOnlySpan<float> logits, int target)
    {
        double max = double.NegativeInfinity;
        foreach (var z in logits)
        {
            max = Math.Max(max, z);
        }

        double sum = 0;
        foreach (var z in logits)
        {
            sum += Math.Exp(z - max);
        }

        return Math.Log(sum) + max - logits[target];
    }

    /// <summary>The number of rows added so far.</summary>
    public long Rows => _rows;

    public VerificationMetrics Result() => new(
        _samples,
        _rows,
        _output,
        _rows == 0 ? 0 : (double)_agree / _rows,
        _samples == 0 ? 0 : _cosineSum / _samples,
        _samples == 0 ? 0 : _minCosine,
        _maxAbs,
        _elements == 0 ? 0 : _absSum / _elements,
        _labels is null || _rows == 0 ? null : (double)_refCorrect / _rows,
        _labels is null || _rows == 0 ? null : (double)_cmpCorrect / _rows,
        // SNR in dB = 10·log10(Σy² / Σ(y − ŷ)²); identical outputs give +∞.
        _noise == 0 ? double.PositiveInfinity : 10 * Math.Log10(_signal / _noise),
        // Perplexity = exp(mean next-token NLL).
        _tokens == 0 ? null : Math.Exp(_refNll / _tokens),
        _tokens == 0 ? null : Math.Exp(_cmpNll / _tokens));

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best])
            {
                best = i;
            }
        }

        return best;
    }
}
