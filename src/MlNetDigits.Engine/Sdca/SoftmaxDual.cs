namespace MlNetDigits.Engine.Sdca;

/// <summary>One example's exact dual step for the softmax loss (see <see cref="SdcaMaximumEntropySolver"/>).</summary>
internal static class SoftmaxDual
{
    /// <summary>
    /// The exact maximisation of one example's softmax dual: the probability vector q maximising
    /// H(q) + (q - q_old) . s - curvature/2 |q - q_old|^2 over the simplex (H the entropy, s the current scores; the last
    /// term is how much the weights' norm grows). Its stationarity conditions give, for a multiplier mu,
    /// ln q_c + curvature q_c = s_c + curvature q_old,c + mu with sum_c q_c = 1. Solved by <see cref="JointNewton"/>
    /// (about three times faster on MNIST), falling back on the always-convergent <see cref="NestedNewton"/>.
    /// </summary>
    public static void Solve(ReadOnlySpan<float> scores, ReadOnlySpan<double> previous, double curvature, Span<double> q, Span<double> logQ)
    {
        if (!JointNewton(scores, previous, curvature, q, logQ))
            NestedNewton(scores, previous, curvature, q, logQ);
    }

    /// <summary>
    /// The fast path of <see cref="Solve"/>: Newton's method on all the conditions at once, in u = ln q and mu:
    /// F_c = u_c + curvature e^{u_c} - s_c - curvature q_old,c - mu = 0 and sum_c e^{u_c} = 1. The Jacobian is diagonal
    /// plus one row and column, so each step is closed-form: with w_c = q_c / (1 + curvature q_c),
    /// dmu = (sum_c w_c F_c - (sum_c q_c - 1)) / sum_c w_c and du_c = (dmu - F_c) / (1 + curvature q_c); one exp per class
    /// per step. It starts from the old probabilities (the answer when the curvature is large, as it is for most
    /// examples) and returns false, leaving the work to the nested method, if it has not converged in 30 steps.
    /// </summary>
    internal static bool JointNewton(ReadOnlySpan<float> scores, ReadOnlySpan<double> previous, double curvature, Span<double> q, Span<double> logQ)
    {
        int k = scores.Length;
        double mu = 0, weights = 0;
        for (int c = 0; c < k; c++)
        {
            double u = Math.Log(Math.Max(previous[c], 1e-30));
            logQ[c] = u;
            double qc = Math.Exp(u);
            q[c] = qc;
            double w = qc / (1 + curvature * qc);
            mu += w * (u + curvature * qc - scores[c] - curvature * previous[c]);
            weights += w;
        }
        mu /= weights;
        for (int iteration = 0; iteration < 30; iteration++)
        {
            double weightedF = 0, sum = 0, largestF = 0;
            weights = 0;
            for (int c = 0; c < k; c++)
            {
                double qc = q[c];
                double f = logQ[c] + curvature * qc - scores[c] - curvature * previous[c] - mu;
                double w = qc / (1 + curvature * qc);
                weightedF += w * f;
                weights += w;
                sum += qc;
                largestF = Math.Max(largestF, Math.Abs(f));
            }
            if (largestF <= 1e-10 && Math.Abs(sum - 1) <= 1e-10)
            {
                for (int c = 0; c < k; c++)
                    q[c] /= sum;
                return true;
            }
            double dmu = (weightedF - (sum - 1)) / weights;
            mu += dmu;
            for (int c = 0; c < k; c++)
            {
                double qc = q[c];
                double f = logQ[c] + curvature * qc - scores[c] - curvature * previous[c] - (mu - dmu);
                // A step of at most 4 in ln q keeps the exponentials in range far from the answer; q stays at most 1.
                double u = Math.Min(0, logQ[c] + Math.Clamp((dmu - f) / (1 + curvature * qc), -4, 4));
                logQ[c] = u;
                q[c] = Math.Exp(u);
            }
        }
        return false;
    }

    /// <summary>
    /// The robust path of <see cref="Solve"/>: each q_c grows with mu, so mu is found by Newton's method on
    /// sum_c q_c(mu) = 1 (convex and increasing in mu, so Newton started where the sum is at least 1 descends to the root),
    /// and each q_c(mu) by Newton's method on u + curvature e^u = t in u = ln q_c (also convex and increasing).
    /// </summary>
    internal static void NestedNewton(ReadOnlySpan<float> scores, ReadOnlySpan<double> previous, double curvature, Span<double> q, Span<double> logQ)
    {
        int k = scores.Length;
        // Start where every q_c(mu) >= q_old,c, so the sum is at least 1: mu = max_c (ln q_old,c - s_c), the mu at which
        // class c keeps its old probability.
        double mu = double.NegativeInfinity;
        for (int c = 0; c < k; c++)
            if (previous[c] > 0)
                mu = Math.Max(mu, Math.Log(previous[c]) - scores[c]);
        for (int outer = 0; outer < 100; outer++)
        {
            double sum = 0, slope = 0;
            for (int c = 0; c < k; c++)
            {
                double t = scores[c] + curvature * previous[c] + mu;
                // Newton on the convex increasing g(u) = u + curvature e^u - t: from the right of the root it descends
                // monotonically, from the left its first step lands right of it. The root is at most t, and at most
                // ln(t / curvature) when t > 0; later rounds start from the last root, which mu's descent keeps right of
                // the new one.
                double u = outer == 0 ? (t <= 0 ? t : Math.Min(t, Math.Log(t / curvature))) : Math.Min(logQ[c], t);
                double qc;
                while (true)
                {
                    double e = curvature * Math.Exp(u);
                    double move = (u + e - t) / (1 + e);
                    u -= move;
                    if (Math.Abs(move) <= 1e-10)
                    {
                        qc = e / curvature * (1 - move);   // e^u after the last (tiny) move
                        break;
                    }
                }
                logQ[c] = u;
                q[c] = qc;
                sum += qc;
                slope += qc / (1 + curvature * qc);     // dq_c/dmu
            }
            double excess = sum - 1;
            if (Math.Abs(excess) <= 1e-9)
                break;
            mu -= excess / slope;
        }
        double total = 0;
        for (int c = 0; c < k; c++)
            total += q[c];
        for (int c = 0; c < k; c++)
            q[c] /= total;
    }
}
