namespace ModelCompress.Recipe;

/// <summary>How <c>distill:</c> trains the compressed model toward its teacher (<c>method:</c>).</summary>
public enum DistillMethod
{
    /// <summary>Each compressed layer is fitted to the teacher's output of the same layer on calibration data.</summary>
    Layerwise,
}
