using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Execution;

/// <summary>One segment over every sample.</summary>
internal sealed partial class SegmentedRunner
{
    private static void RunSegment(
        SegmentPlan plan,
        ModelSegment segment,
        IReadOnlyList<string> outputs,
        IReadOnlyList<string> observe,
        IReadOnlyList<IReadOnlyDictionary<string, CarriedTensor>> samples,
        List<Dictionary<string, CarriedTensor>> carried,
        List<Dictionary<string, CarriedTensor>> next,
        ISegmentConsumer consumer,
        SegmentSessions sessions,
        CancellationToken ct,
        Action tick)
    {
        var types = segment.CarriedInputs.ToDictionary(
            n => n, n => (carried[0][n].Type, carried[0][n].Shape.Length), StringComparer.Ordinal);
        var bytes = SegmentModelBuilder.Build(plan, segment, outputs, types).ToBytes();
        InferenceSession session;
        try
        {
            session = sessions.Open(bytes);
        }
        catch (OnnxRuntimeException e)
        {
            throw sessions.Fail(e, $"segment {segment.Index + 1} of {plan.Segments.Count}");
        }

        // ONNX Runtime copied what it needs: the segment's model bytes (its weights, inline; not used past this point)
        // and the weight values read to write them are garbage from here on, returned before the session runs rather
        // than after it closes.
        GarbageBudget.Process.Tick();

        using (session)
        {
            string[] feeds = [.. segment.GraphInputs, .. segment.CarriedInputs];
            var fetched = outputs.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
            for (var i = 0; i < samples.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var values = new List<OrtValue>(feeds.Length);
                var observedInputs = new List<OrtValue>();
                try
                {
                    values.AddRange(segment.GraphInputs.Select(n => samples[i][n].ToOrtValue()));
                    values.AddRange(segment.CarriedInputs.Select(n => carried[i][n].ToOrtValue()));
                    using var run = new RunOptions();
                    using var results = session.Run(run, feeds, values, outputs);
                    foreach (var name in segment.Exports)
                    {
                        next[i][name] = CarriedTensor.From(results[fetched[name]], name);
                    }

                    if (observe.Count > 0)
                    {
                        var observedValues = new List<OrtValue>(observe.Count);
                        foreach (var name in observe)
                        {
                            if (fetched.TryGetValue(name, out var index))
                            {
                                observedValues.Add(results[index]);
                            }
                            else
                            {
                                // A requested model input: observed as the sample holds it.
                                var input = samples[i][name].ToOrtValue();
                                observedInputs.Add(input);
                                observedValues.Add(input);
                            }
                        }

                        consumer.Observe(i, observe, observedValues);
                    }
                }
                catch (Exception e) when (e is OnnxRuntimeException or NotSupportedException)
                {
                    throw sessions.Fail(e, $"segment {segment.Index + 1} of {plan.Segments.Count}, sample {i}");
                }
                finally
                {
                    values.ForEach(v => v.Dispose());
                    observedInputs.ForEach(v => v.Dispose());
                }

                tick();
            }
        }

        // The segment's model bytes and its outputs' buffers are garbage now; a large model's next segment is as big.
        GarbageBudget.Process.Tick();
    }
}
