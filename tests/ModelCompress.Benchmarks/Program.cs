using System.Reflection;
using BenchmarkDotNet.Running;
using ModelCompress.Benchmarks;

// Usage: dotnet run -c Release --project tests/ModelCompress.Benchmarks -- <command> [args]
//        dotnet run -c Release --project tests/ModelCompress.Benchmarks -- bdn [BenchmarkDotNet args]
var commands = typeof(IBenchCommand).Assembly.GetTypes()
    .Where(t => typeof(IBenchCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchCommand)Activator.CreateInstance(t)!)
    .OrderBy(c => c.Name, StringComparer.Ordinal)
    .ToList();

if (args.Length > 0 && args[0] == "bdn")
{
    BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args[1..]);
    return 0;
}

var selected = args.Length > 0 ? commands.FirstOrDefault(c => c.Name == args[0]) : null;
if (selected is null)
{
    Console.WriteLine("commands: bdn [BenchmarkDotNet args]");
    foreach (var c in commands)
    {
        Console.WriteLine($"  {c.Name,-16} {c.Description}");
    }

    return args.Length == 0 ? 0 : 2;
}

return selected.Run(args[1..]);
