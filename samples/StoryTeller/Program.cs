using System.Globalization;
using System.Text;
using StoryTeller;

// StoryTeller: a small llama2.c story model, compressed to int8 by `dotnet build` (compression.yaml), checked
// against fp32 and embedded in this assembly, runs here with ONNX Runtime and its key/value cache.
//   dotnet run -- --prompt "Once upon a time"            one story, then exit
//   dotnet run --                                          interactive: each line you type continues the story
// Options: --steps N (new tokens per turn, default 256), --temperature T (default 0.8; 0 = greedy), --greedy,
//          --top-p P (default 0.9), --seed S (default: from the clock, printed), --threads N (default 1).
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: StoryTeller [--prompt TEXT] [--steps N] [--temperature T | --greedy] [--top-p P] [--seed S] [--threads N]");
    return 2;
}

using var model = new StoryModel(ReadResource("story.onnx"), options.Threads);
var tokenizer = Llama2Tokenizer.Load(new MemoryStream(ReadResource("tokenizer.bin")));
var sampler = new TokenSampler(options.Temperature, options.TopP, options.Seed);
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"StoryTeller: int8 model ({ReadResource("story.onnx").Length:N0} bytes, context {model.ContextLength}), {(options.Temperature == 0 ? "greedy" : $"temperature {options.Temperature}, top-p {options.TopP}")}, seed {options.Seed}, {options.Threads} thread(s). Ctrl+C stops."));

// Ctrl+C during a story stops it at the next token, prints its numbers and ends the program; at the prompt it ends
// the program at once. Either way: no stack trace, exit code 0.
using var stop = new CancellationTokenSource();
var generating = false;
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
    if (!Volatile.Read(ref generating))
    {
        Console.Error.WriteLine();
        Environment.Exit(0);
    }
};

var stdout = Console.OpenStandardOutput();
var utf8 = Encoding.UTF8.GetDecoder();
int? pending = null; // the last token of the previous turn, not yet in the cache
while (!stop.IsCancellationRequested)
{
    var text = options.Prompt;
    if (text is null)
    {
        Console.Error.Write(model.Position == 0 ? "\nStart a story (empty line to quit): " : "\nContinue the story (empty line to quit): ");
        text = Console.ReadLine();
        if (string.IsNullOrWhiteSpace(text))
        {
            break;
        }
    }

    var shown = model.Position == 0 && pending is null ? text : " " + text; // run.c's encoding puts a space before a prompt
    var prompt = tokenizer.Encode(text, bos: model.Position == 0 && pending is null);
    if (pending is { } last)
    {
        prompt.Insert(0, last);
    }

    if (model.Position + prompt.Count + 1 > model.ContextLength)
    {
        Console.Error.WriteLine("\n[the story fills the model's context: starting a new one]");
        model.Reset();
        pending = null;
        prompt = tokenizer.Encode(text, bos: true);
        shown = text;
    }

    Console.Write(shown);
    Volatile.Write(ref generating, true);
    var turn = StoryWriter.Turn(model, sampler, prompt, Math.Min(options.Steps, model.ContextLength - model.Position - prompt.Count), (previous, token) =>
    {
        var bytes = tokenizer.Decode(previous, token);
        var chars = new char[utf8.GetCharCount(bytes, flush: false)];
        utf8.GetChars(bytes, chars, flush: false);
        Console.Write(chars);
    }, stop.Token);
    Volatile.Write(ref generating, false);
    Console.WriteLine();
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"[{turn.Tokens.Count} tokens, {turn.TokensPerSecond:0.0} tokens/s, time to first token {turn.TimeToFirstToken.TotalMilliseconds:0.0} ms{(turn.StoryEnded ? ", the end" : "")}]"));
    pending = turn.Tokens.Count > 0 ? turn.Tokens[^1] : null;
    if (turn.StoryEnded || model.Position + 2 >= model.ContextLength)
    {
        model.Reset();
        pending = null;
    }

    if (options.Prompt is not null)
    {
        break;
    }
}

return 0;

static byte[] ReadResource(string name)
{
    using var stream = typeof(Program).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Resource '{name}' is missing: was the app built with ModelCompress.Build?");
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    return copy.ToArray();
}
