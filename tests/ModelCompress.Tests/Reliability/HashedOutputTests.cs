using System.Security.Cryptography;
using ModelCompress.Cache;
using ModelCompress.Onnx;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Reliability;

/// <summary>
/// An output's external data is hashed as it is written, and the run's file digests take that hash instead of reading
/// the file back — for as long as the file stays as written.
/// </summary>
public sealed class HashedOutputTests
{
    [Fact]
    public void The_data_file_digest_taken_while_writing_is_the_files_digest_and_a_changed_file_is_hashed_again()
    {
        using var p = new TestProject();
        var model = SampleModels.Mlp(inputSize: 64, hiddenSize: 128, outputSize: 10, hiddenLayers: 2);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var (_, dataBytes) = model.WriteWithExternalData(p.PathOf("m.onnx"), p.PathOf("m.onnx.data"), "m.onnx.data", threshold: 1024, dataHash: hash);
        var digest = hash.GetHashAndReset();

        Assert.True(dataBytes > 64 * 128 * 4);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(p.PathOf("m.onnx.data"))), digest);

        var files = new FileDigestMemo(null);
        files.Wrote(p.PathOf("m.onnx.data"), digest);
        Assert.Equal(digest, files.Sha256(p.PathOf("m.onnx.data")));
        Assert.Equal(0, files.Hashed);

        File.AppendAllText(p.PathOf("m.onnx.data"), "x");
        Assert.NotEqual(digest, files.Sha256(p.PathOf("m.onnx.data")));
        Assert.Equal(1, files.Hashed);
    }
}
