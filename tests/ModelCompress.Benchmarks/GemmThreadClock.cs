using System.Runtime.InteropServices;

namespace ModelCompress.Benchmarks;

/// <summary>
/// The calling thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID). On a shared machine a single-threaded product
/// measured by wall time also counts the slices other processes took; CPU time does not.
/// </summary>
internal static partial class GemmThreadClock
{
    private const int ClockThreadCpuTime = 3;

    /// <summary>Whether the clock exists here (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>CPU seconds this thread has used.</summary>
    public static double Seconds()
    {
        if (ClockGetTime(ClockThreadCpuTime, out var ts) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        }

        return ts.Seconds + (ts.Nanoseconds * 1e-9);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec value);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
