using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace ModelCompress.Cache;

/// <summary>
/// What identifies the code that computes cached work, beyond the engine's version string: the module version ids of
/// the engine, kernel and ONNX assemblies (a deterministic build gives the same id for the same code, and any code
/// change gives a new one) and ONNX Runtime's version (calibration statistics come from it). A development build whose
/// pass computes other bytes therefore never reads results of the previous build from a cache that outlives
/// <c>dotnet clean</c>, even when nobody bumped <see cref="Engine.EngineInfo.AlgorithmRevision"/>; a released package has
/// one identity on every machine, so a shared CI cache keeps working.
/// </summary>
internal static class CacheIdentity
{
    private static readonly Lazy<string> Build = new(Compute);

    /// <summary>The version that enters every cache key: <paramref name="engineVersion"/> plus the build identity.</summary>
    public static string KeyVersion(string engineVersion) => engineVersion + "+build." + Build.Value;

    private static string Compute()
    {
        Assembly[] assemblies =
        [
            typeof(CacheIdentity).Assembly,
            typeof(Kernels.Int8Gemm).Assembly,
            typeof(Onnx.OnnxModel).Assembly,
        ];
        var text = new StringBuilder();
        foreach (var assembly in assemblies)
        {
            text.Append(assembly.GetName().Name).Append('=').Append(assembly.ManifestModule.ModuleVersionId.ToString("N")).Append(';');
        }

        text.Append("onnxruntime=").Append(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
