using System.Globalization;
using ModelCompress.Fuzz;

// Commands: run TARGET|all SECONDS [SEED] [OUT] | replay TARGET FILE...
// (build/fuzz.sh instruments the assemblies first, with the SharpFuzz tool of the repository's manifest.)
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: run TARGET|all SECONDS [SEED] [OUT] | replay TARGET FILE...");
    return 2;
}

switch (args[0])
{
    case "run":
        var seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
        var seed = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var output = args.Length > 4 ? args[4] : Path.Combine("artifacts", "fuzz");
        var targets = args[1] == "all" ? FuzzTargets.All : [FuzzTargets.Get(args[1])];
        var failed = false;
        foreach (var target in targets)
        {
            var loop = new FuzzLoop(target, Path.Combine(output, target.Name), TimeSpan.FromSeconds(10), Console.WriteLine);
            var stats = loop.Run(TimeSpan.FromSeconds(seconds), seed);
            Console.WriteLine("FINAL " + stats);
            failed |= stats.Crashes.Count > 0 || stats.Hangs > 0;
        }

        return failed ? 1 : 0;
    case "replay":
        var replayTarget = FuzzTargets.Get(args[1]);
        var scratch = Path.Combine(Path.GetTempPath(), $"mc-fuzz-replay-{Environment.ProcessId}");
        var bad = 0;
        foreach (var file in args.Skip(2))
        {
            var run = FuzzExecution.Run(replayTarget, File.ReadAllBytes(file), scratch, TimeSpan.FromSeconds(10));
            Console.WriteLine($"{file}: {run.Result} {run.Signature}");
            bad += run.Result is FuzzResult.Crash or FuzzResult.Hang ? 1 : 0;
            if (run.Error is not null && run.Result == FuzzResult.Crash)
            {
                Console.WriteLine(run.Error);
            }
        }

        return bad == 0 ? 0 : 1;
    default:
        Console.Error.WriteLine($"unknown command '{args[0]}'");
        return 2;
}
