namespace ModelCompress.Execution;

/// <summary>
/// Bounds the garbage a streaming phase leaves behind. Weights read one layer at a time become garbage as soon as the
/// layer is done, but the runtime collects the large-object heap only when its own budget (sized from the machine's
/// memory, gigabytes on a build server) runs out, so the process's resident memory would grow with the model although
/// the live data does not. After every <see cref="BudgetBytes"/> allocated since the last collection, a full blocking
/// collection returns that memory: a few tens of milliseconds per quarter gigabyte of weights.
/// </summary>
internal sealed class GarbageBudget
{
    /// <summary>Allocation between collections.</summary>
    public const long BudgetBytes = 256L << 20;

    private long _mark = GC.GetTotalAllocatedBytes();

    /// <summary>The process's budget, for phases that run model segments one after another.</summary>
    public static GarbageBudget Process { get; } = new();

    /// <summary>How many collections this budget ran.</summary>
    public int Collections { get; private set; }

    /// <summary>Collects when more than <see cref="BudgetBytes"/> were allocated since the last collection.</summary>
    public void Tick()
    {
        var now = GC.GetTotalAllocatedBytes();
        if (now - _mark < BudgetBytes)
        {
            return;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        Collections++;
        _mark = GC.GetTotalAllocatedBytes();
    }
}
