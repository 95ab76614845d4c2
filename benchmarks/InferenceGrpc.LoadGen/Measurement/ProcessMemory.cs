using System.Diagnostics;

namespace InferenceGrpc.LoadGen.Measurement;

/// <summary>The load generator's own footprint, so a reader can tell whether the client was part of the bottleneck.</summary>
internal readonly record struct ProcessMemory(long WorkingSet, long PeakWorkingSet, long ManagedHeap, long AllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    public static ProcessMemory Capture()
    {
        using var process = Process.GetCurrentProcess();
        return new ProcessMemory(
            process.WorkingSet64, process.PeakWorkingSet64, GC.GetTotalMemory(false), GC.GetTotalAllocatedBytes(precise: false),
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    }

    /// <summary>The memory at the end of a level, with what was allocated and collected since <paramref name="start"/>.</summary>
    public Results.MemoryResult Since(ProcessMemory start, long requests) => new(
        WorkingSetMb: Mb(WorkingSet),
        PeakWorkingSetMb: Mb(PeakWorkingSet),
        ManagedHeapMb: Mb(ManagedHeap),
        AllocatedMb: Mb(AllocatedBytes - start.AllocatedBytes),
        AllocatedBytesPerRequest: requests > 0 ? (AllocatedBytes - start.AllocatedBytes) / (double)requests : 0,
        Gen0Collections: Gen0 - start.Gen0,
        Gen1Collections: Gen1 - start.Gen1,
        Gen2Collections: Gen2 - start.Gen2);

    private static double Mb(long bytes) => Math.Round(bytes / (1024.0 * 1024.0), 1);
}
