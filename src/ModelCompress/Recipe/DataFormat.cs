namespace ModelCompress.Recipe;

/// <summary>The format of a calibration or verification data file (<c>format:</c>).</summary>
public enum DataFormat
{
    /// <summary>A NumPy <c>.npy</c> array; the first axis indexes samples.</summary>
    Npy,

    /// <summary>A NumPy <c>.npz</c> archive; one array per model input, named by input.</summary>
    Npz,

    /// <summary>Plain UTF-8 text, tokenized and cut into windows of <c>seq_len</c> tokens.</summary>
    Text,

    /// <summary>An MNIST IDX file (optionally gzip-compressed), e.g. <c>t10k-images-idx3-ubyte.gz</c>.</summary>
    MnistIdx,
}
