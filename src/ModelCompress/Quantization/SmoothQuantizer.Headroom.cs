namespace ModelCompress.Quantization;

/// <summary>Smoothing factors that leave every channel room to grow past its calibrated maximum.</summary>
public static partial class SmoothQuantizer
{
    /// <summary>
    /// s_j of Eq. 4 (<see cref="Scales(ReadOnlySpan{float}, ReadOnlySpan{float}, double)"/>) raised where needed so that
    /// each channel keeps <paramref name="headroom"/> (see <see cref="KeepHeadroom"/>); a headroom of 1 is Eq. 4 as written.
    /// </summary>
    public static float[] Scales(ReadOnlySpan<float> activationMax, ReadOnlySpan<float> weightMax, double alpha, double headroom) =>
        KeepHeadroom(Scales(activationMax, weightMax, alpha), activationMax, headroom);

    /// <summary>
    /// Why: static int8 quantizes the smoothed activation X_j / s_j per tensor with the range calibration saw. Without
    /// smoothing, a channel quieter than the loudest one (max|X_j| = m_j &lt; m* = max_i m_i) has m*/m_j of room before
    /// it reaches the range's end; Eq. 4 at a large α brings every m_j / s_j close to that end (that is how it shrinks
    /// the range), so a channel that is quiet in calibration and louder on new inputs is clipped by QuantizeLinear's
    /// saturation. Measured on char-gpt: with α = 0.7 chosen everywhere, text outside the calibration domain pushed
    /// up to 43 channels of one layer's smoothed input to 1.76× the range's end, against 2 channels and 1.01× unsmoothed.
    /// <para>
    /// So s_j is raised to at least s_* · min(H·m_j, m*) / m*, where * is the loudest channel: channel j's smoothed
    /// maximum then stays at least min(H, m*/m_j) times below the loudest channel's m*/s_*, which becomes the range's
    /// end. That end is the widest one any such s allows: a channel above it would itself need room it cannot have
    /// while it sets the end (Eq. 4 alone may put a channel with a small weight row above the loudest channel).
    /// Raising s_j only moves more of channel j into the weight row (W_j·s_j stays exact in float), as Eq. 3 allows
    /// for any s.
    /// </para>
    /// </summary>
    /// <param name="s">Eq. 4's factors (not modified).</param>
    /// <param name="activationMax">max|X_j| per channel from calibration.</param>
    /// <param name="headroom">H ≥ 1: the room each channel keeps; 1 returns <paramref name="s"/> itself.</param>
    internal static float[] KeepHeadroom(float[] s, ReadOnlySpan<float> activationMax, double headroom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(headroom, 1);
        var top = -1;
        for (var j = 0; j < activationMax.Length; j++)
        {
            if (float.IsFinite(activationMax[j]) && (top < 0 || activationMax[j] > activationMax[top]))
            {
                top = j;
            }
        }

        if (headroom == 1 || top < 0 || !(activationMax[top] > 0))
        {
            return s;
        }

        double loudest = activationMax[top], sTop = s[top];
        var bounded = new float[s.Length];
        for (var j = 0; j < s.Length; j++)
        {
            var m = activationMax[j];
            var floor = float.IsFinite(m) && m > 0 ? sTop * Math.Min(headroom * m, loudest) / loudest : 0;
            bounded[j] = (float)Math.Max(s[j], floor);
        }

        return bounded;
    }
}
