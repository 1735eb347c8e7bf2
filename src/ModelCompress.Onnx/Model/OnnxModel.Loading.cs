using System.Buffers;
using System.Security.Cryptography;
using Google.Protobuf;
using ModelCompress.Onnx.Internal;
using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx;

/// <summary>Loading. Every failure of a bad file is a coded <see cref="Diagnostics.ModelCompressException"/>.</summary>
public sealed partial class OnnxModel
{
    /// <summary>
    /// Loads a model file. External data stays on disk and is read when a tensor's data is first accessed; its
    /// locations must lie inside the model's folder. Errors: MC1001 missing file, MC1002 corrupt or truncated
    /// protobuf, MC1003 not a model, MC1004/MC1005 bad tensor dims or sizes, MC1006-MC1009 bad external data.
    /// </summary>
    public static OnnxModel Load(string path, OnnxLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw OnnxErrors.Create("MC1001", full, full);
        }

        var context = new ProtoReadContext(new ExternalDataResolver(options?.BaseDirectory ?? Path.GetDirectoryName(full)), full);
        try
        {
            // The file is hashed as it streams through the parser (a cache keys the model by its file's content;
            // reading the file a second time to hash it cost as much as the parse). Reading a file whole and hashing it
            // on another core measured slower: the extra buffer's page faults cost more than the overlap saved.
            // Buffering sits above the hash so that it sees large reads.
            using var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var hashingStream = new HashingReadStream(file, hash);
            using var stream = new BufferedStream(hashingStream, 1 << 16);
            var model = Parse(() => ModelProto.Parser.ParseFrom(stream), context);
            hashingStream.Drain();
            model.LoadedFile = (full, hash.GetHashAndReset());
            return model;
        }
        catch (IOException e)
        {
            throw OnnxErrors.Create("MC1013", full, e, "read", full, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            throw OnnxErrors.Create("MC1013", full, e, "read", full, e.Message);
        }
    }

    /// <summary>Loads a model from a stream (external data needs <see cref="OnnxLoadOptions.BaseDirectory"/>).</summary>
    public static OnnxModel Load(Stream stream, OnnxLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var context = new ProtoReadContext(new ExternalDataResolver(options?.BaseDirectory), null);
        return Parse(() => ModelProto.Parser.ParseFrom(stream), context);
    }

    /// <summary>Loads a model from its serialized bytes (external data needs <see cref="OnnxLoadOptions.BaseDirectory"/>).</summary>
    public static OnnxModel FromBytes(ReadOnlyMemory<byte> bytes, OnnxLoadOptions? options = null)
    {
        var context = new ProtoReadContext(new ExternalDataResolver(options?.BaseDirectory), null);
        return Parse(() => ModelProto.Parser.ParseFrom(new ReadOnlySequence<byte>(bytes)), context);
    }

    private static OnnxModel Parse(Func<ModelProto> parse, ProtoReadContext context)
    {
        var what = context.File ?? "<stream>";
        ModelProto proto;
        try
        {
            proto = parse();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw OnnxErrors.Create("MC1002", context.File, e, what, e.Message);
        }

        // Protobuf accepts many byte strings as "a message with unknown fields"; a real model always has both.
        if (!proto.HasIrVersion || proto.IrVersion <= 0)
        {
            throw OnnxErrors.Create("MC1003", context.File, what, "it declares no IR version (ModelProto.ir_version)");
        }

        if (proto.Graph is null)
        {
            throw OnnxErrors.Create("MC1003", context.File, what, "it has no graph (ModelProto.graph)");
        }

        return FromProto(proto, context);
    }
}
