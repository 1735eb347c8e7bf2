using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelCompress.Reports;

/// <summary>
/// Serializes <see cref="CompressionReport"/> as indented snake_case JSON with '\n' line ends. Property order is the
/// declaration order and numbers use the shortest round-trip form, so equal reports give equal bytes.
/// </summary>
public static class ReportJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        // report.json is a file for people and tools, never embedded in HTML, so '+' and '"' need not be escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NewLine = "\n",
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The UTF-8 JSON text of <paramref name="report"/>, ending with a newline.</summary>
    public static byte[] ToUtf8(CompressionReport report) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(report, Options) + "\n");

    /// <summary>Parses a report written by <see cref="ToUtf8"/>.</summary>
    public static CompressionReport Parse(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize<CompressionReport>(utf8, Options) ?? throw new JsonException("empty report");
}
