using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace StoryTeller;

/// <summary>
/// The language model with its key/value cache: <see cref="Forward"/> runs only the new tokens, feeding back the keys
/// and values of every earlier position (the model's present_* outputs of the previous run become its past_* inputs),
/// so each generated token costs one position, not a re-run of the story. Interface and metadata are those
/// StoryTeller.Generator writes. Dispose it.
/// </summary>
public sealed class StoryModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly int _layers;
    private readonly string[] _outputNames;
    private IDisposableReadOnlyCollection<OrtValue>? _cache;

    /// <summary>Loads <paramref name="model"/> (ONNX bytes) to run on <paramref name="threads"/> threads.</summary>
    public StoryModel(byte[] model, int threads)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,

            // ONNX Runtime warns that the past_* inputs also have initializers: they are the empty default cache, meant
            // to be overridden, so that warning is expected; errors still show.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        _session = new InferenceSession(model, options);
        var metadata = _session.ModelMetadata.CustomMetadataMap;
        _layers = int.Parse(metadata["num_layers"], CultureInfo.InvariantCulture);
        ContextLength = int.Parse(metadata["context_length"], CultureInfo.InvariantCulture);
        VocabSize = int.Parse(metadata["vocab_size"], CultureInfo.InvariantCulture);
        _outputNames = ["logits", .. Enumerable.Range(0, _layers).SelectMany(l => new[] { $"present_key.{l}", $"present_value.{l}" })];
    }

    /// <summary>The most positions a story may have.</summary>
    public int ContextLength { get; }

    /// <summary>The number of tokens each position's logits cover.</summary>
    public int VocabSize { get; }

    /// <summary>Positions already in the cache.</summary>
    public int Position { get; private set; }

    /// <summary>Forgets the cache: the next <see cref="Forward"/> starts a new story at position 0.</summary>
    public void Reset()
    {
        _cache?.Dispose();
        _cache = null;
        Position = 0;
    }

    /// <summary>
    /// Runs <paramref name="tokens"/> at the next positions, keeps their keys and values, and returns the logits of the
    /// last one (which predict the token after it).
    /// </summary>
    public float[] Forward(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0 || Position + tokens.Count > ContextLength)
        {
            throw new ArgumentException($"{tokens.Count} more tokens do not fit the context ({Position} of {ContextLength} used).", nameof(tokens));
        }

        var ids = tokens.Select(t => (long)t).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
        var names = new List<string> { "input_ids" };
        var values = new List<OrtValue> { input };
        if (_cache is not null)
        {
            // The first run feeds no cache: the model's empty initializers stand in for past_* (ONNX default inputs).
            for (var l = 0; l < _layers; l++)
            {
                names.Add($"past_key.{l}");
                values.Add(_cache[1 + (2 * l)]);
                names.Add($"past_value.{l}");
                values.Add(_cache[2 + (2 * l)]);
            }
        }

        var outputs = _session.Run(_runOptions, names, values, _outputNames);
        _cache?.Dispose();
        _cache = outputs;
        Position += ids.Length;
        return outputs[0].GetTensorDataAsSpan<float>()[^VocabSize..].ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _cache?.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
