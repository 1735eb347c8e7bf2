namespace ModelCompress.Recipe;

/// <summary>How structured pruning ranks channels (<c>importance:</c>).</summary>
public enum PruneImportance
{
    /// <summary>Weight norms only: ‖row j of B‖₂ times the norms of column j of each producing linear.</summary>
    Weight,

    /// <summary>Activation-aware: ‖row j of B‖₂ times the calibration norm of hidden channel j (needs calibration).</summary>
    Activation,
}
