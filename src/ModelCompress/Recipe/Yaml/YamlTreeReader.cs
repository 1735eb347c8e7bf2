using ModelCompress.Recipe.Binding;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ModelCompress.Recipe.Yaml;

/// <summary>
/// Builds the located <see cref="YNode"/> tree from YamlDotNet's parser events. It reports duplicate keys, non-scalar
/// keys, unknown aliases and extra documents, then keeps going; a syntax error ends the read (YAML cannot be resumed
/// after one) with a single MC2002 at the parser's position.
/// </summary>
internal sealed class YamlTreeReader
{
    private readonly IParser _parser;
    private readonly RecipeReport _report;
    private readonly Dictionary<string, YNode> _anchors = new(StringComparer.Ordinal);
    private Mark _lastGood = Mark.Empty;

    private YamlTreeReader(IParser parser, RecipeReport report)
    {
        _parser = parser;
        _report = report;
    }

    /// <summary>
    /// Reads the first document's root. Returns null for an empty stream (the caller reports MC2016), or when the YAML
    /// is malformed (MC2002 already reported; <paramref name="malformed"/> is then true).
    /// </summary>
    public static YNode? Read(string text, RecipeReport report, out bool malformed)
    {
        var reader = new YamlTreeReader(new Parser(new StringReader(text)), report);
        malformed = false;
        try
        {
            return reader.ReadStream();
        }
        catch (YamlException ex)
        {
            malformed = true;
            report.ErrorAt("MC2002", (int)ex.Start.Line, (int)ex.Start.Column, Sentence(ex.Message));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (instead of a YamlException) on some unterminated flow collections.
            malformed = true;
            report.ErrorAt(
                "MC2002",
                (int)reader._lastGood.Line,
                (int)reader._lastGood.Column,
                "a bracket or quote opened near here is never closed.");
        }

        return null;
    }

    private static string Sentence(string message)
    {
        var m = message.Trim();
        return m.EndsWith('.') ? m : m + ".";
    }

    private YNode? ReadStream()
    {
        Next();
        Expect<StreamStart>();
        Next();
        if (_parser.Current is StreamEnd)
        {
            return null;
        }

        Expect<DocumentStart>();
        Next();
        var root = ReadNode();
        Expect<DocumentEnd>();
        Next();
        if (_parser.Current is DocumentStart extra)
        {
            _report.ErrorAt("MC2030", (int)extra.Start.Line, (int)extra.Start.Column);
        }

        return root;
    }

    /// <summary>Reads the node at the current event and leaves the parser on the event after it.</summary>
    private YNode ReadNode()
    {
        var current = _parser.Current!;
        YNode node;
        switch (current)
        {
            case AnchorAlias alias:
                Next();
                if (_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    return target;
                }

                _report.ErrorAt(
                    "MC2002",
                    (int)alias.Start.Line,
                    (int)alias.Start.Column,
                    $"the alias '*{alias.Value.Value}' refers to no anchor defined before it.");
                return new YScalar(string.Empty, isPlain: true, (int)alias.Start.Line, (int)alias.Start.Column);
            case Scalar scalar:
                Next();
                node = new YScalar(scalar.Value, scalar.Style == ScalarStyle.Plain, (int)scalar.Start.Line, (int)scalar.Start.Column);
                break;
            case SequenceStart start:
                node = ReadSequence(start);
                break;
            case MappingStart start:
                node = ReadMapping(start);
                break;
            default:
                throw new YamlException(current.Start, current.End, $"Unexpected {current.GetType().Name}.");
        }

        // Anchors are registered once their node is complete, so an alias can never form a cycle.
        if (current is NodeEvent { Anchor.IsEmpty: false } withAnchor)
        {
            _anchors[withAnchor.Anchor.Value] = node;
        }

        return node;
    }

    private YSequence ReadSequence(SequenceStart start)
    {
        Next();
        var items = new List<YNode>();
        while (_parser.Current is not SequenceEnd)
        {
            items.Add(ReadNode());
        }

        Next();
        return new YSequence(items, (int)start.Start.Line, (int)start.Start.Column);
    }

    private YMapping ReadMapping(MappingStart start)
    {
        Next();
        var entries = new List<KeyValuePair<YScalar, YNode>>();
        var seen = new Dictionary<string, YScalar>(StringComparer.Ordinal);
        while (_parser.Current is not MappingEnd)
        {
            var keyNode = ReadNode();
            var value = ReadNode();
            if (keyNode is not YScalar key)
            {
                _report.Error("MC2036", keyNode, keyNode.Describe());
                continue;
            }

            if (seen.TryGetValue(key.Value, out var first))
            {
                // Keep the first occurrence so later checks see one consistent value.
                _report.Error("MC2003", key, key.Value, first.Line);
                continue;
            }

            seen.Add(key.Value, key);
            entries.Add(new(key, value));
        }

        Next();
        return new YMapping(entries, (int)start.Start.Line, (int)start.Start.Column);
    }

    private void Next()
    {
        if (_parser.Current is { } c)
        {
            _lastGood = c.Start;
        }

        _parser.MoveNext();
    }

    private void Expect<T>()
        where T : ParsingEvent
    {
        if (_parser.Current is not T)
        {
            var c = _parser.Current;
            throw new YamlException(c?.Start ?? Mark.Empty, c?.End ?? Mark.Empty, $"Expected {typeof(T).Name}.");
        }
    }
}
