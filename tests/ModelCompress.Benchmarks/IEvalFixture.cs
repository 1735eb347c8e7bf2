namespace ModelCompress.Benchmarks;

/// <summary>One fixture's evaluation in the <c>eval</c> command: makes the variants, measures, prints its table.</summary>
internal interface IEvalFixture
{
    /// <summary>The name used by <c>--models</c>.</summary>
    string Name { get; }

    /// <summary>Runs the evaluation and prints its table to <see cref="EvalContext.Out"/>.</summary>
    void Run(EvalContext context);
}
