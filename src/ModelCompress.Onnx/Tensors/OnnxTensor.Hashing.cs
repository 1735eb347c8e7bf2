using System.Security.Cryptography;
using ModelCompress.Onnx.Internal;

namespace ModelCompress.Onnx;

/// <summary>Content hashing of tensor data.</summary>
public sealed partial class OnnxTensor
{
    /// <summary>
    /// SHA-256 of the element type, dims and raw bytes, as lowercase hex. External and generated data are streamed
    /// through the hash, never held whole, so this works for tensors larger than memory. Caches key layers by it.
    /// </summary>
    public string ComputeDataHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var header = $"{(int)DataType}:{string.Join(",", _dims)}:";
        hash.AppendData(System.Text.Encoding.ASCII.GetBytes(header));
        if (DataType == TensorDataType.String || _storage is null)
        {
            foreach (var s in _proto.StringData)
            {
                hash.AppendData(BitConverter.GetBytes(s.Length));
                hash.AppendData(s.Span);
            }
        }
        else
        {
            using var sink = new HashingStream(hash);
            _storage.CopyTo(sink);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
