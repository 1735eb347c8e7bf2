using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ModelCompress.Recipe;

/// <summary>
/// Builds the located <see cref="YNode"/> tree from YamlDotNet's parser events. It reports duplicate keys, non-scalar
/// keys, unknown aliases and extra documents, then keeps going; a syntax error ends the read (YAML cannot be resumed
/// after one) with a single MC2002 at the parser's position.
/// </summary>
internal sealed class YamlTreeReader
{
    /// <summary>Deeper nesting than any recipe needs; the limit keeps hostile input from overflowing the stack.</summary>
    private const int MaxDepth = 64;

    private readonly IParser _parser;
    private readonly RecipeReport _report;
    private readonly Dictionary<string, YNode> _anchors = new(StringComparer.Ordinal);
    private readonly Stack<Mark> _openFlow = new();
    private int _depth;
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
            // The parser stops where it noticed the problem (often the end of the file); name the bracket that is
            // still open too, since that is usually where the mistake is.
            malformed = true;
            var open = reader._openFlow.Count > 0
                ? $" (the bracket at line {reader._openFlow.Peek().Line}, column {reader._openFlow.Peek().Column} is still open)"
                : string.Empty;
            report.ErrorAt("MC2002", (int)ex.Start.Line, (int)ex.Start.Column, Sentence(ex.Message.TrimEnd('.') + open));
        }
        catch (TooDeepException ex)
        {
            malformed = true;
            report.ErrorAt("MC2002", (int)ex.At.Line, (int)ex.At.Column, $"the recipe nests deeper than {MaxDepth} levels.");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (instead of a YamlException) on some unterminated flow collections;
            // the innermost collection still open is where the unclosed bracket starts.
            malformed = true;
            var at = reader._openFlow.Count > 0 ? reader._openFlow.Peek() : reader._lastGood;
            report.ErrorAt("MC2002", (int)at.Line, (int)at.Column, "a bracket opened here is never closed.");
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
                return new YError((int)alias.Start.Line, (int)alias.Start.Column);
            case Scalar scalar:
                Next();
                node = new YScalar(scalar.Value, scalar.Style == ScalarStyle.Plain, (int)scalar.Start.Line, (int)scalar.Start.Column);
                break;
            case SequenceStart or MappingStart when _depth >= MaxDepth:
                throw new TooDeepException(current.Start);
            case SequenceStart start:
                _depth++;
                node = ReadSequence(start);
                _depth--;
                break;
            case MappingStart start:
                _depth++;
                node = ReadMapping(start);
                _depth--;
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
        PushFlow(start.Style == SequenceStyle.Flow, start.Start);
        Next();
        var items = new List<YNode>();
        while (_parser.Current is not SequenceEnd)
        {
            items.Add(ReadNode());
        }

        Next();
        PopFlow(start.Style == SequenceStyle.Flow);
        return new YSequence(items, (int)start.Start.Line, (int)start.Start.Column);
    }

    private YMapping ReadMapping(MappingStart start)
    {
        PushFlow(start.Style == MappingStyle.Flow, start.Start);
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
        PopFlow(start.Style == MappingStyle.Flow);
        return new YMapping(entries, (int)start.Start.Line, (int)start.Start.Column);
    }

    private void PushFlow(bool flow, Mark start)
    {
        if (flow)
        {
            _openFlow.Push(start);
        }
    }

    private void PopFlow(bool flow)
    {
        if (flow)
        {
            _openFlow.Pop();
        }
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

    /// <summary>Unwinds the recursion when the nesting limit is hit; reported as MC2002 by <see cref="Read"/>.</summary>
    private sealed class TooDeepException(Mark at) : Exception
    {
        public Mark At { get; } = at;
    }
}
