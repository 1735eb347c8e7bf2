namespace ModelCompress.Recipe;

/// <summary>What a recipe path names, which decides the checks it gets.</summary>
internal enum PathUse
{
    /// <summary>An input file that must exist (data, labels, tokenizer).</summary>
    InputFile,

    /// <summary>An input .onnx model that must exist.</summary>
    Model,

    /// <summary>A folder the tool writes to; need not exist.</summary>
    OutputFolder,
}
