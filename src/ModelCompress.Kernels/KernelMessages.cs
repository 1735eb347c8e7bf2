using System.Globalization;
using System.Resources;

namespace ModelCompress.Kernels;

/// <summary>
/// Coded message texts of this assembly (<c>Resources/Messages.resx</c>). The kernels sit below
/// <c>ModelCompress.Onnx</c>, where the diagnostics types live, so they raise plain exceptions whose message starts
/// with the code (<c>"MC9101: …"</c>); callers higher up wrap them into coded diagnostics.
/// </summary>
internal static class KernelMessages
{
    private static readonly ResourceManager Resources =
        new("ModelCompress.Kernels.Resources.Messages", typeof(KernelMessages).Assembly);

    /// <summary>The text for <paramref name="code"/> with its placeholders filled.</summary>
    public static string Format(string code, params object?[] args)
    {
        var template = Resources.GetString(code, CultureInfo.InvariantCulture)
            ?? throw new InvalidOperationException($"MC9001: no message text for code '{code}'.");
        return string.Format(CultureInfo.InvariantCulture, template, args);
    }
}
