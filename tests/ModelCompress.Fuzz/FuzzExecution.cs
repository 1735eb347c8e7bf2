using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Fuzz;

/// <summary>The outcome of one input: what happened, the exception (if any) and a signature to tell bugs apart.</summary>
public sealed record FuzzExecution(FuzzResult Result, Exception? Error, string Signature)
{
    /// <summary>An input may not make a reader allocate more than this (the seeds need a few MB at most).</summary>
    public const long AllocationLimit = 1L << 30;

    /// <summary>
    /// Runs <paramref name="target"/> on <paramref name="input"/> on its own thread: a coded error is the right answer, any
    /// other exception a crash, no answer within <paramref name="timeout"/> a hang, and more than
    /// <see cref="AllocationLimit"/> bytes allocated an unbounded allocation (a crash).
    /// </summary>
    public static FuzzExecution Run(IFuzzTarget target, byte[] input, string scratch, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(target);
        ResetScratch(scratch);
        Exception? error = null;
        long allocated = 0;
        var worker = new Thread(
            () =>
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    target.Execute(input, scratch);
                }
#pragma warning disable CA1031 // every exception is an outcome to classify, not to handle
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    error = ex;
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            },
            64 << 20) { IsBackground = true };
        worker.Start();
        if (!worker.Join(timeout))
        {
            return new FuzzExecution(FuzzResult.Hang, null, "hang");
        }

        if (allocated > AllocationLimit)
        {
            return new FuzzExecution(FuzzResult.Crash, error, $"allocation of {allocated >> 20} MiB");
        }

        return error switch
        {
            null => new FuzzExecution(FuzzResult.Accepted, null, "ok"),
            ModelCompressException coded => new FuzzExecution(FuzzResult.Coded, coded, coded.Code),
            _ => new FuzzExecution(FuzzResult.Crash, error, SignatureOf(error)),
        };
    }

    /// <summary>The exception type and the innermost project frame: one bug, one signature.</summary>
    public static string SignatureOf(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var frame = (error.StackTrace ?? string.Empty)
            .Split('\n')
            .Select(l => l.Trim())
            .FirstOrDefault(l => l.StartsWith("at ModelCompress.", StringComparison.Ordinal) && !l.StartsWith("at ModelCompress.Fuzz.", StringComparison.Ordinal))
            ?? "?";
        var paren = frame.IndexOf('(', StringComparison.Ordinal);
        return error.GetType().Name + " " + (paren > 0 ? frame[3..paren] : frame);
    }

    private static void ResetScratch(string scratch)
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, true);
        }

        Directory.CreateDirectory(scratch);
    }
}
