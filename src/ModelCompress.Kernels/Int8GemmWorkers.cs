using System.Diagnostics;

namespace ModelCompress.Kernels;

/// <summary>
/// Helper threads for multi-threaded products. After a job they spin for a short while before sleeping, so
/// back-to-back products (layer after layer, candidate after candidate in a search) start on all threads at
/// once instead of waiting for a sleeping thread to be scheduled. On a busy machine that wake-up can take a whole
/// scheduler tick (milliseconds), by which time the caller has done every tile alone: measured here, the shared
/// .NET thread pool joined a 2-item Parallel.For in fewer than 1 in 50 calls under load. ONNX Runtime's intra-op
/// pool spins for the same reason.
/// </summary>
/// <remarks>
/// One job runs at a time; a concurrent caller falls back to <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>.
/// Protocol: the caller publishes the job, opens <c>slots</c> for the helpers it wants and bumps the generation;
/// a helper that sees a new generation registers as active <em>before</em> claiming a slot, so once the caller has
/// closed the slots and seen no active helper, no helper can still touch the job. Results never depend on which
/// threads joined: tiles are claimed from the job's own counter and each is computed by exactly one thread.
/// </remarks>
internal static class Int8GemmWorkers
{
    private const int Closed = int.MinValue / 2;

    // How long an idle helper spins before sleeping: long enough to bridge the gap between consecutive products,
    // short enough that an idle process stops using the CPU almost at once.
    private static readonly long SpinTicks = Stopwatch.Frequency / 500;

    private static readonly Lock Gate = new();
    private static readonly SemaphoreSlim Doorbell = new(0);
    private static readonly List<Thread> Helpers = [];
    private static Int8GemmJob? s_job;
    private static int s_generation;
    private static int s_slots = Closed;
    private static int s_active;
    private static int s_sleepers;

    /// <summary>Runs <see cref="Int8GemmJob.Work"/> on the calling thread and on up to <paramref name="helpers"/> others.</summary>
    public static void Run(Int8GemmJob job, int helpers)
    {
        if (!Gate.TryEnter())
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = helpers + 1 };
            Parallel.For(0, helpers + 1, options, _ => job.Work());
            return;
        }

        try
        {
            while (Helpers.Count < helpers)
            {
                var thread = new Thread(HelperLoop) { IsBackground = true, Name = "ModelCompress int8 GEMM" };
                thread.Start();
                Helpers.Add(thread);
            }

            Volatile.Write(ref s_job, job);
            Volatile.Write(ref s_slots, helpers);
            Interlocked.Increment(ref s_generation);
            int sleepers = Volatile.Read(ref s_sleepers);
            if (sleepers > 0)
            {
                Doorbell.Release(Math.Min(sleepers, helpers));
            }

            job.Work();

            // Close the door, then wait for helpers that got in; they finish the tiles they hold.
            Interlocked.Exchange(ref s_slots, Closed);
            var spin = default(SpinWait);
            while (Volatile.Read(ref s_active) != 0)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            Volatile.Write(ref s_job, null);
        }
        finally
        {
            Gate.Exit();
        }
    }

    private static void HelperLoop()
    {
        int seen = Volatile.Read(ref s_generation);
        while (true)
        {
            long idleSince = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref s_generation) == seen)
            {
                if (Stopwatch.GetTimestamp() - idleSince < SpinTicks)
                {
                    Thread.SpinWait(64);
                    continue;
                }

                // Sleep. Registering first and re-checking after closes the race with a caller that bumps the
                // generation in between (both sides use full fences: it either sees us or we see it).
                Interlocked.Increment(ref s_sleepers);
                if (Volatile.Read(ref s_generation) == seen)
                {
                    Doorbell.Wait();
                }

                Interlocked.Decrement(ref s_sleepers);
                idleSince = Stopwatch.GetTimestamp();
            }

            seen = Volatile.Read(ref s_generation);
            Interlocked.Increment(ref s_active);
            if (Interlocked.Decrement(ref s_slots) >= 0)
            {
                Volatile.Read(ref s_job)?.Work();
            }

            Interlocked.Decrement(ref s_active);
        }
    }
}
