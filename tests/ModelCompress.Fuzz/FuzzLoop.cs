using System.Diagnostics;
using System.Security.Cryptography;

namespace ModelCompress.Fuzz;

/// <summary>
/// The fuzzing loop of one target: run the seeds and the saved corpus, then mutate corpus entries until the time is up,
/// keeping inputs that reach new edges (or, uninstrumented, a new outcome) and saving every new crash minimized.
/// </summary>
public sealed class FuzzLoop
{
    private const int MaxInputLength = 1 << 20;
    private readonly IFuzzTarget _target;
    private readonly string _output;
    private readonly TimeSpan _timeout;
    private readonly Action<string> _log;

    /// <summary>A loop over <paramref name="target"/> writing its corpus and crashes under <paramref name="output"/>.</summary>
    public FuzzLoop(IFuzzTarget target, string output, TimeSpan timeout, Action<string> log)
    {
        _target = target;
        _output = output;
        _timeout = timeout;
        _log = log;
    }

    /// <summary>Fuzzes for <paramref name="duration"/> with the mutation seed <paramref name="seed"/>.</summary>
    public FuzzStatistics Run(TimeSpan duration, int seed)
    {
        var stats = new FuzzStatistics { Target = _target.Name };
        var scratch = Path.Combine(Path.GetTempPath(), $"mc-fuzz-{_target.Name}-{Environment.ProcessId}");
        var corpusDir = Path.Combine(_output, "corpus");
        Directory.CreateDirectory(corpusDir);
        var mutator = new Mutator(seed);
        var pick = new Random(seed ^ 0x5EED);
        var outcomes = new HashSet<string>(StringComparer.Ordinal);
        var corpus = new List<byte[]>();
        var clock = Stopwatch.StartNew();
        var nextReport = TimeSpan.FromSeconds(10);
        using var coverage = new CoverageMap();
        bool Try(byte[] input, bool keep)
        {
            coverage.Reset();
            var run = FuzzExecution.Run(_target, input, scratch, _timeout);
            stats.Executions++;
            var freshEdges = coverage.Merge();
            var freshOutcome = outcomes.Add(run.Result + " " + run.Signature);
            switch (run.Result)
            {
                case FuzzResult.Accepted:
                    stats.Accepted++;
                    break;
                case FuzzResult.Coded:
                    stats.Coded++;
                    stats.Codes.Add(run.Signature);
                    break;
                case FuzzResult.Hang:
                    stats.Hangs++;
                    Save("hangs", input, "no answer within " + _timeout);
                    return false;
                default:
                    if (stats.Crashes.Add(run.Signature))
                    {
                        _log($"{_target.Name}: CRASH {run.Signature}");
                        var small = Minimizer.Minimize(_target, input, run.Signature, scratch, _timeout);
                        Save("crashes", small, run.Signature + "\n" + run.Error);
                    }

                    return true;
            }

            if (keep && (freshEdges || freshOutcome) && input.Length <= MaxInputLength)
            {
                corpus.Add(input);
                File.WriteAllBytes(Path.Combine(corpusDir, Convert.ToHexStringLower(SHA256.HashData(input))[..16]), input);
            }

            return true;
        }

        try
        {
            foreach (var input in _target.Seeds().Concat(Directory.GetFiles(corpusDir).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)))
            {
                corpus.Add(input);
                Try(input, keep: false);
            }

            while (clock.Elapsed < duration && stats.Hangs == 0)
            {
                var parent = corpus[pick.Next(corpus.Count)];
                var child = mutator.Mutate(parent, corpus[pick.Next(corpus.Count)]);
                Try(child, keep: true);
                if (clock.Elapsed > nextReport)
                {
                    nextReport += TimeSpan.FromSeconds(10);
                    Finish();
                    _log(stats.ToString());
                }
            }
        }
        finally
        {
            Finish();
            if (Directory.Exists(scratch) && stats.Hangs == 0)
            {
                Directory.Delete(scratch, true);
            }
        }

        return stats;

        void Finish()
        {
            stats.Seconds = clock.Elapsed.TotalSeconds;
            stats.Edges = coverage.Edges;
            stats.Corpus = corpus.Count;
        }
    }

    private void Save(string kind, byte[] input, string why)
    {
        var dir = Path.Combine(_output, kind);
        Directory.CreateDirectory(dir);
        var name = Convert.ToHexStringLower(SHA256.HashData(input))[..16];
        File.WriteAllBytes(Path.Combine(dir, name + ".bin"), input);
        File.WriteAllText(Path.Combine(dir, name + ".txt"), why);
        _log($"{_target.Name}: saved {kind}/{name}.bin ({input.Length} bytes)");
    }
}
