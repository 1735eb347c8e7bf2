namespace ModelCompress.Fuzz;

/// <summary>The outcome of one execution.</summary>
public enum FuzzResult
{
    /// <summary>The reader accepted the input.</summary>
    Accepted,

    /// <summary>The reader refused it with a coded MCnnnn error: the correct answer to bad input.</summary>
    Coded,

    /// <summary>Any other exception: a bug.</summary>
    Crash,

    /// <summary>The reader did not return within the time limit.</summary>
    Hang,
}
