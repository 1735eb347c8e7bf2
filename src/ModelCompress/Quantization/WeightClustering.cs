namespace ModelCompress.Quantization;

/// <summary>
/// k-means of a layer's weight values (one dimension) into a codebook of shared values, as in Deep Compression's
/// weight sharing (Han et al., 2016, §3): every weight is replaced by its nearest centroid, so the layer stores k floats
/// and one small index per weight.
/// <para>
/// Initialization is k-means++ (Arthur and Vassilvitskii, 2007): the first centroid is drawn uniformly, each next one
/// with probability proportional to D(x)², the squared distance to the nearest centroid chosen so far. The draws come
/// from a seeded generator and every sum runs in index order, so the same weights always give the same codebook.
/// Lloyd's iterations then alternate assignment (nearest centroid; in one dimension a binary search over the midpoints
/// of the sorted centroids) and update (mean of the assigned values) until no assignment changes or
/// <see cref="MaxIterations"/> is reached.
/// </para>
/// </summary>
public static class WeightClustering
{
    /// <summary>The cap on Lloyd iterations (a fixed cap keeps the run time bounded and the result reproducible).</summary>
    public const int MaxIterations = 50;

    /// <summary>The generator seed: fixed, so the codebook depends on nothing but the weights and k.</summary>
    public const int Seed = 20160201;

    /// <summary>Clusters <paramref name="values"/> into at most <paramref name="clusters"/> shared values.</summary>
    /// <returns>The sorted codebook (fewer entries when there are fewer distinct values) and each value's index into it.</returns>
    public static (float[] Codebook, byte[] Indices) Cluster(ReadOnlySpan<float> values, int clusters)
    {
        if (clusters is < 2 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(clusters), clusters, "2..256 clusters (an index is one byte)");
        }

        if (values.Length == 0)
        {
            return ([0f], []);
        }

        var distinct = CountDistinct(values, clusters);
        var centroids = distinct <= clusters ? DistinctValues(values) : PlusPlusInit(values, clusters);
        var assignment = new int[values.Length];
        Assign(values, centroids, assignment);
        for (var iteration = 0; iteration < MaxIterations && distinct > clusters; iteration++)
        {
            Update(values, centroids, assignment);
            if (!Assign(values, centroids, assignment))
            {
                break;
            }
        }

        var codebook = centroids.Select(c => (float)c).ToArray();
        var indices = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            indices[i] = (byte)assignment[i];
        }

        return (codebook, indices);
    }

    /// <summary>The weights the codebook gives back: codebook[index] per weight.</summary>
    public static float[] Expand(ReadOnlySpan<float> codebook, ReadOnlySpan<byte> indices)
    {
        var w = new float[indices.Length];
        for (var i = 0; i < w.Length; i++)
        {
            w[i] = codebook[indices[i]];
        }

        return w;
    }

    private static int CountDistinct(ReadOnlySpan<float> values, int limit)
    {
        var seen = new HashSet<float>();
        foreach (var v in values)
        {
            if (seen.Add(v) && seen.Count > limit)
            {
                break;
            }
        }

        return seen.Count;
    }

    private static double[] DistinctValues(ReadOnlySpan<float> values)
    {
        var set = new SortedSet<float>();
        foreach (var v in values)
        {
            set.Add(v);
        }

        return [.. set.Select(v => (double)v)];
    }

    /// <summary>k-means++ seeding (D² sampling), then sorted so that assignment can binary-search.</summary>
    private static double[] PlusPlusInit(ReadOnlySpan<float> values, int k)
    {
        var random = new Random(Seed);
        var chosen = new List<double> { values[random.Next(values.Length)] };
        var d2 = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var d = values[i] - chosen[0];
            d2[i] = d * d;
        }

        while (chosen.Count < k)
        {
            var total = 0.0;
            foreach (var d in d2)
            {
                total += d;
            }

            var target = random.NextDouble() * total;
            var pick = values.Length - 1;
            var running = 0.0;
            for (var i = 0; i < d2.Length; i++)
            {
                running += d2[i];
                if (running > target && d2[i] > 0)
                {
                    pick = i;
                    break;
                }
            }

            var c = (double)values[pick];
            chosen.Add(c);
            for (var i = 0; i < values.Length; i++)
            {
                var d = values[i] - c;
                d2[i] = Math.Min(d2[i], d * d);
            }
        }

        chosen.Sort();
        return [.. chosen];
    }

    /// <summary>Nearest centroid per value (ties to the lower one); true when any assignment changed.</summary>
    private static bool Assign(ReadOnlySpan<float> values, double[] sortedCentroids, int[] assignment)
    {
        var mid = new double[sortedCentroids.Length - 1];
        for (var j = 0; j < mid.Length; j++)
        {
            mid[j] = 0.5 * (sortedCentroids[j] + sortedCentroids[j + 1]);
        }

        var changed = false;
        for (var i = 0; i < values.Length; i++)
        {
            // The index of the first midpoint ≥ v is the nearest centroid of the sorted list.
            int lo = 0, hi = mid.Length;
            double v = values[i];
            while (lo < hi)
            {
                var m = (lo + hi) >> 1;
                if (mid[m] < v)
                {
                    lo = m + 1;
                }
                else
                {
                    hi = m;
                }
            }

            if (assignment[i] != lo)
            {
                assignment[i] = lo;
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>Each centroid becomes the mean of its values (an empty cluster keeps its place); the list stays sorted.</summary>
    private static void Update(ReadOnlySpan<float> values, double[] centroids, int[] assignment)
    {
        var sum = new double[centroids.Length];
        var count = new long[centroids.Length];
        for (var i = 0; i < values.Length; i++)
        {
            sum[assignment[i]] += values[i];
            count[assignment[i]]++;
        }

        for (var j = 0; j < centroids.Length; j++)
        {
            if (count[j] > 0)
            {
                centroids[j] = sum[j] / count[j];
            }
        }

        // Means of the cells of a 1-D Voronoi partition keep their order; sorting guards against equal centroids.
        Array.Sort(centroids);
    }
}
