namespace ModelCompress.Recipe;

/// <summary>How the output stores weights with many zeros (<c>prune: { storage: ... }</c>).</summary>
public enum SparseStorage
{
    /// <summary>
    /// Non-zero values in order and a 1-bit mask, rebuilt by standard ONNX ops that ONNX Runtime folds at load; only
    /// for tensors where that saves bytes.
    /// </summary>
    Packed,

    /// <summary>Every weight written in place, zeros included (the file keeps its size).</summary>
    Dense,
}
