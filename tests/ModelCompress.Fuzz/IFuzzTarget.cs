namespace ModelCompress.Fuzz;

/// <summary>
/// One reader under fuzzing. <see cref="Execute"/> feeds it one input the way the engine would (a file when the engine
/// reads files); a coded <c>ModelCompressException</c> is the expected answer to bad input, anything else is a crash.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name used on the command line and as the corpus folder.</summary>
    string Name { get; }

    /// <summary>Valid inputs to start from (real fixtures where the format has one; else small generated files).</summary>
    IEnumerable<byte[]> Seeds();

    /// <summary>Runs the reader on <paramref name="input"/>; <paramref name="scratch"/> is an empty folder it may use.</summary>
    void Execute(byte[] input, string scratch);
}
