using System.Globalization;

namespace StoryTeller;

/// <summary>The command line: see Program.cs for the meaning of each option.</summary>
internal sealed record Options(string? Prompt, int Steps, float Temperature, float TopP, int Seed, int Threads)
{
    /// <summary>The options of <paramref name="args"/>, or null when one is unknown or malformed.</summary>
    public static Options? Parse(string[] args)
    {
        var o = new Options(null, 256, 0.8f, 0.9f, Environment.TickCount & int.MaxValue, 1);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--greedy":
                    o = o with { Temperature = 0f };
                    continue;
                case "--prompt" when value is not null:
                    o = o with { Prompt = value };
                    break;
                case "--steps" when int.TryParse(value, CultureInfo.InvariantCulture, out var steps) && steps > 0:
                    o = o with { Steps = steps };
                    break;
                case "--temperature" when float.TryParse(value, CultureInfo.InvariantCulture, out var t) && t >= 0:
                    o = o with { Temperature = t };
                    break;
                case "--top-p" when float.TryParse(value, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 1:
                    o = o with { TopP = p };
                    break;
                case "--seed" when int.TryParse(value, CultureInfo.InvariantCulture, out var seed) && seed >= 0:
                    o = o with { Seed = seed };
                    break;
                case "--threads" when int.TryParse(value, CultureInfo.InvariantCulture, out var threads) && threads > 0:
                    o = o with { Threads = threads };
                    break;
                default:
                    return null;
            }

            i++;
        }

        return o;
    }
}
