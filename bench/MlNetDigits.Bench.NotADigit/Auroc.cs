/// <summary>
/// The area under the ROC curve of a score that should be higher for out-of-distribution images: the probability that
/// a random OOD image scores higher than a random in-distribution one, ties counting one half (Mann-Whitney U / (n m)).
/// </summary>
internal static class Auroc
{
    public static double Of(IReadOnlyList<double> inDistribution, IReadOnlyList<double> outOfDistribution)
    {
        var all = inDistribution.Select(s => (Score: s, Ood: false)).Concat(outOfDistribution.Select(s => (Score: s, Ood: true)))
            .OrderBy(e => e.Score).ToArray();
        // Sum of the OOD images' ranks (1-based, ties get their average rank).
        double rankSum = 0;
        for (int i = 0; i < all.Length;)
        {
            int j = i;
            while (j < all.Length && all[j].Score.Equals(all[i].Score))
                j++;
            double rank = (i + 1 + j) / 2.0;
            for (int k = i; k < j; k++)
                if (all[k].Ood)
                    rankSum += rank;
            i = j;
        }
        double n = outOfDistribution.Count, m = inDistribution.Count;
        return (rankSum - n * (n + 1) / 2) / (n * m);
    }
}
