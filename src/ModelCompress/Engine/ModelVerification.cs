using ModelCompress.Reports;

namespace ModelCompress.Engine;

/// <summary>One model's verification in a <see cref="VerifyResult"/>.</summary>
/// <param name="Model">The recipe's model name.</param>
/// <param name="Report">The verification, or null when the recipe has no <c>verify:</c> for the model.</param>
public sealed record ModelVerification(string Model, VerificationReport? Report);
