namespace ModelCompress.Recipe;

/// <summary>How text data becomes token ids (<c>tokenizer:</c>).</summary>
public enum TokenizerKind
{
    /// <summary>No tokenizer: the data is not text.</summary>
    None,

    /// <summary>Byte-level: each UTF-8 byte is one token id (0..255).</summary>
    Bytes,

    /// <summary>A llama2.c tokenizer <c>.bin</c> file (vocabulary with scores).</summary>
    Llama2C,
}
