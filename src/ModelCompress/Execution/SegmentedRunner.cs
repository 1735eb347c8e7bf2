using ModelCompress.Cache;

namespace ModelCompress.Execution;

/// <summary>
/// Runs a <see cref="SegmentPlan"/> segment by segment over all samples (segment-major: one session at a time, the
/// values crossing the current cut held for every sample), feeding the requested values to an
/// <see cref="ISegmentConsumer"/>. With a cache, each segment's consumer result and the activations after it are
/// stored under its chain key (<see cref="SegmentKeys"/>); a later run reads back the results of the segments whose
/// keys are unchanged and resumes ONNX Runtime from the stored activations at the last cut before the first changed
/// segment. Every segment runs the same session on the same inputs whether its upstream was read back or computed, so
/// the results are the same bytes either way.
/// </summary>
internal sealed partial class SegmentedRunner(ILayerCache? cache, string keyVersion, SegmentPolicy policy)
{
    /// <summary>Runs <paramref name="plan"/> on <paramref name="samples"/> (one tensor per model input each).</summary>
    /// <param name="plan">The segments (more than one).</param>
    /// <param name="samples">The samples, as tensors by input name.</param>
    /// <param name="consumer">Receives the requested values.</param>
    /// <param name="sessions">Opens sessions, codes errors, reports progress.</param>
    /// <param name="ct">Cancels between samples.</param>
    public SegmentRunReport Run(
        SegmentPlan plan,
        IReadOnlyList<IReadOnlyDictionary<string, CarriedTensor>> samples,
        ISegmentConsumer consumer,
        SegmentSessions sessions,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(sessions);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var segments = plan.Segments;
        var count = segments.Count;
        if (samples.Count == 0)
        {
            return new SegmentRunReport(count, 0, 0, -1);
        }

        var observed = new IReadOnlyList<string>[count];
        var outputs = new IReadOnlyList<string>[count];
        var chain = new byte[count][];
        var previous = SegmentKeys.Samples(samples);
        for (var s = 0; s < count; s++)
        {
            observed[s] = s == 0 ? [.. plan.RequestedInputs, .. segments[0].Requested] : segments[s].Requested;
            outputs[s] = [.. segments[s].Exports, .. segments[s].Requested.Where(r => !segments[s].Exports.Contains(r))];
            chain[s] = previous = SegmentKeys.Chain(keyVersion, previous, SegmentModelBuilder.ContentHash(plan, segments[s], outputs[s]));
        }

        // Which results are still needed: every segment with observed values whose result is not stored.
        var restored = new bool[count];
        var resultKeys = new CacheKey?[count];
        for (var s = 0; s < count; s++)
        {
            resultKeys[s] = cache is null || observed[s].Count == 0 ? null : SegmentKeys.Result(chain[s], consumer, observed[s]);
            restored[s] = observed[s].Count == 0
                || (resultKeys[s] is { } key && cache!.TryGet(key) is { } entry && consumer.Restore(observed[s], entry.Payload));
        }

        var first = Array.IndexOf(restored, false);
        if (first < 0)
        {
            return new SegmentRunReport(count, count, 0, count - 1) { Milliseconds = clock.Elapsed.TotalMilliseconds };
        }

        var last = Array.LastIndexOf(restored, false);
        var (resumeAfter, carried) = Resume(segments, chain, first, samples.Count);
        var ran = 0;
        var total = (long)(last - resumeAfter) * samples.Count;
        long done = 0;

        // The activations after a cut are encoded, hashed and written on another thread while ONNX Runtime runs the
        // next segment (one thread each): a run on an empty cache should cost little more than one without. At most one
        // cut's write is in flight, so at most one extra cut's activations are held.
        var pendingStore = Task.CompletedTask;
        try
        {
            for (var s = resumeAfter + 1; s <= last; s++)
            {
                var segment = segments[s];
                var names = restored[s] ? segment.Exports : outputs[s];
                var observe = restored[s] ? [] : observed[s];
                List<Dictionary<string, CarriedTensor>> next = [.. carried.Select(c => c.Where(p => segment.LiveAfter.Contains(p.Key))
                    .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal))];
                if (names.Count > 0 || observe.Count > 0)
                {
                    RunSegment(plan, segment, names, observe, samples, carried, next, consumer, sessions, ct, () => sessions.Progress?.Invoke(++done, total));
                    ran++;
                }

                if (!restored[s] && resultKeys[s] is { } resultKey)
                {
                    cache!.Put(resultKey, consumer.Encode(observe), 0);
                }

                carried = next;
                if (SegmentPolicy.StoresActivationsAfter(s, count))
                {
                    pendingStore.GetAwaiter().GetResult();
                    pendingStore = Store(chain[s], segment.LiveAfter, carried);
                }
            }
        }
        finally
        {
            pendingStore.GetAwaiter().GetResult();
        }

        return new SegmentRunReport(count, restored.Count(r => r), ran, resumeAfter) { Milliseconds = clock.Elapsed.TotalMilliseconds };
    }

    /// <summary>The latest stored activations at or before the cut ahead of <paramref name="first"/> (-1 and none: from the samples).</summary>
    private (int After, List<Dictionary<string, CarriedTensor>> Carried) Resume(
        IReadOnlyList<ModelSegment> segments, byte[][] chain, int first, int sampleCount)
    {
        for (var t = first - 1; cache is not null && t >= 0; t--)
        {
            if (cache.TryGet(SegmentKeys.Activations(chain[t])) is { } entry
                && ActivationCodec.TryDecode(entry.Payload, segments[t].LiveAfter, sampleCount) is { } carried)
            {
                return (t, carried);
            }
        }

        return (-1, [.. Enumerable.Range(0, sampleCount).Select(_ => new Dictionary<string, CarriedTensor>(StringComparer.Ordinal))]);
    }

    /// <summary>Writes the activations after a cut in the background (carried tensors are never changed once made).</summary>
    private Task Store(byte[] chain, IReadOnlyList<string> names, List<Dictionary<string, CarriedTensor>> carried)
    {
        if (cache is null || names.Count == 0 || carried.Sum(c => c.Values.Sum(t => (long)t.Data.Length)) > policy.MaxStoredActivationBytes)
        {
            return Task.CompletedTask;
        }

        // Streamed to the entry's file (checksummed on the way): tens of MiB per cut at the recipe's default
        // calibration size, so no whole copy is assembled in memory.
        var key = SegmentKeys.Activations(chain);
        var length = ActivationCodec.Length(names, carried);
        return Task.Run(() => cache.Put(key, length, stream => ActivationCodec.Write(stream, names, carried), 0));
    }
}
