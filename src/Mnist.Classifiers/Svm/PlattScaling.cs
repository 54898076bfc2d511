namespace Mnist.Classifiers.Svm;

/// <summary>
/// Probability estimates for SVMs: Platt's sigmoid (Platt 2000) fitted with the Newton method with backtracking
/// of Lin, Lin &amp; Weng (2007, "A note on Platt's probabilistic outputs for support vector machines"), and
/// multi-class coupling of pairwise probabilities by the second method of Wu, Lin &amp; Weng (2004), as in LIBSVM.
/// </summary>
internal static class PlattScaling
{
    /// <summary>Fits P(y = +1 | f) = 1 / (1 + exp(A f + B)) to decision values and ±1 labels.</summary>
    public static (double A, double B) FitSigmoid(ReadOnlySpan<double> decisionValues, ReadOnlySpan<sbyte> labels)
    {
        int l = decisionValues.Length;
        int prior1 = 0;
        foreach (sbyte label in labels)
        {
            if (label > 0)
            {
                prior1++;
            }
        }

        int prior0 = l - prior1;
        const int maxIterations = 100;
        const double minStep = 1e-10, sigma = 1e-12, epsilon = 1e-5;

        // Regularised targets (Platt's Bayes prior on the labels) avoid overfitting the sigmoid.
        double hiTarget = (prior1 + 1.0) / (prior1 + 2.0), loTarget = 1 / (prior0 + 2.0);
        var targets = new double[l];
        for (int i = 0; i < l; i++)
        {
            targets[i] = labels[i] > 0 ? hiTarget : loTarget;
        }

        double a = 0, b = Math.Log((prior0 + 1.0) / (prior1 + 1.0));
        double fval = Objective(decisionValues, targets, a, b);
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double h11 = sigma, h22 = sigma, h21 = 0, g1 = 0, g2 = 0;
            for (int i = 0; i < l; i++)
            {
                double fApB = decisionValues[i] * a + b;
                double p, q;
                if (fApB >= 0)
                {
                    p = Math.Exp(-fApB) / (1.0 + Math.Exp(-fApB));
                    q = 1.0 / (1.0 + Math.Exp(-fApB));
                }
                else
                {
                    p = 1.0 / (1.0 + Math.Exp(fApB));
                    q = Math.Exp(fApB) / (1.0 + Math.Exp(fApB));
                }

                double d2 = p * q;
                h11 += decisionValues[i] * decisionValues[i] * d2;
                h22 += d2;
                h21 += decisionValues[i] * d2;
                double d1 = targets[i] - p;
                g1 += decisionValues[i] * d1;
                g2 += d1;
            }

            if (Math.Abs(g1) < epsilon && Math.Abs(g2) < epsilon)
            {
                break;
            }

            double det = h11 * h22 - h21 * h21;
            double dA = -(h22 * g1 - h21 * g2) / det;
            double dB = -(-h21 * g1 + h11 * g2) / det;
            double gd = g1 * dA + g2 * dB;
            double step = 1;
            while (step >= minStep)
            {
                double newA = a + step * dA, newB = b + step * dB;
                double newF = Objective(decisionValues, targets, newA, newB);
                if (newF < fval + 0.0001 * step * gd)
                {
                    a = newA;
                    b = newB;
                    fval = newF;
                    break;
                }

                step /= 2;
            }

            if (step < minStep)
            {
                break; // line search failed: keep the best point found
            }
        }

        return (a, b);
    }

    private static double Objective(ReadOnlySpan<double> decisionValues, double[] targets, double a, double b)
    {
        double f = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            double fApB = decisionValues[i] * a + b;
            f += fApB >= 0
                ? targets[i] * fApB + Math.Log(1 + Math.Exp(-fApB))
                : (targets[i] - 1) * fApB + Math.Log(1 + Math.Exp(fApB));
        }

        return f;
    }

    /// <summary>The fitted sigmoid at decision value <paramref name="f"/>, computed without overflow.</summary>
    public static double Sigmoid(double f, double a, double b)
    {
        double fApB = f * a + b;
        return fApB >= 0 ? Math.Exp(-fApB) / (1.0 + Math.Exp(-fApB)) : 1.0 / (1 + Math.Exp(fApB));
    }

    /// <summary>
    /// Class probabilities p from pairwise estimates r[i, j] ≈ P(y = i | y ∈ {i, j}): Wu, Lin &amp; Weng (2004),
    /// method 2, solved by LIBSVM's fixed-point iteration. <paramref name="scratch"/> holds k·k + k doubles.
    /// </summary>
    public static void Couple(int k, double[,] r, Span<double> p, Span<double> scratch)
    {
        var q = scratch[..(k * k)];
        var qp = scratch.Slice(k * k, k);
        int maxIterations = Math.Max(100, k);
        double eps = 0.005 / k;
        for (int t = 0; t < k; t++)
        {
            p[t] = 1.0 / k;
            q[t * k + t] = 0;
            for (int j = 0; j < t; j++)
            {
                q[t * k + t] += r[j, t] * r[j, t];
                q[t * k + j] = q[j * k + t];
            }

            for (int j = t + 1; j < k; j++)
            {
                q[t * k + t] += r[j, t] * r[j, t];
                q[t * k + j] = -r[j, t] * r[t, j];
            }
        }

        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double pqp = 0;
            for (int t = 0; t < k; t++)
            {
                qp[t] = 0;
                for (int j = 0; j < k; j++)
                {
                    qp[t] += q[t * k + j] * p[j];
                }

                pqp += p[t] * qp[t];
            }

            double maxError = 0;
            for (int t = 0; t < k; t++)
            {
                maxError = Math.Max(maxError, Math.Abs(qp[t] - pqp));
            }

            if (maxError < eps)
            {
                break;
            }

            for (int t = 0; t < k; t++)
            {
                double diff = (-qp[t] + pqp) / q[t * k + t];
                p[t] += diff;
                pqp = (pqp + diff * (diff * q[t * k + t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
                for (int j = 0; j < k; j++)
                {
                    qp[j] = (qp[j] + diff * q[t * k + j]) / (1 + diff);
                    p[j] /= 1 + diff;
                }
            }
        }
    }
}
