namespace ModelCompress.Recipe;

/// <summary>What happens when a threshold is missed (<c>on_regression:</c>).</summary>
public enum RegressionAction
{
    /// <summary>Report the regression with the verify severity and keep the output as is.</summary>
    Fail,

    /// <summary>Put the worst layers back to float, up to <c>max_fallback_layers</c>, until the thresholds hold.</summary>
    Fallback,
}
