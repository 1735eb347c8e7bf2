namespace ModelCompress.Kernels;

/// <summary>
/// Consumes finished int32 tiles (all of K summed and zero-point compensated) and writes the final output. It is
/// called once per tile from whichever worker computed it, and must treat each element on its own so that tile
/// shape and thread count cannot change the result.
/// </summary>
internal abstract unsafe class Int8GemmEpilogue
{
    /// <summary>
    /// Handles rows <paramref name="row0"/>… (<paramref name="rows"/>) × columns <paramref name="col0"/>…
    /// (<paramref name="cols"/>); <paramref name="acc"/> points at the tile's first sum, rows
    /// <paramref name="ldAcc"/> apart.
    /// </summary>
    public abstract void Apply(int* acc, int ldAcc, int row0, int rows, int col0, int cols);
}
