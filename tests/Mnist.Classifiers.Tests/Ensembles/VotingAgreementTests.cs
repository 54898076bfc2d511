using System.Globalization;
using System.Text.Json.Nodes;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Ensembles;

/// <summary>
/// The votes against scikit-learn 1.2's <c>VotingClassifier</c>. Its members cannot be ours, and no two learners that
/// differ (an SVM, forests) give the same outputs in both libraries, so each side's members are made to say the
/// same thing: this library's SVM, forests and baseline are fitted, and their predictions and probabilities become
/// table members here (<see cref="TableClassifier"/>) and fixed estimators there. What is compared is then exactly the
/// combination — label encoding, weighted bincount and its ties, weighted average — on realistic member outputs.
/// </summary>
public class VotingAgreementTests
{
    // Fixed estimators that answer row X[i, 0] from the tables; scikit-learn fits them on the encoded labels, so the
    // tables hold class indices, as its members' predictions then are.
    private const string Script = """
        import json, sys
        import numpy as np
        from sklearn.base import BaseEstimator, ClassifierMixin
        from sklearn.ensemble import VotingClassifier
        pred_path, proba_path, y_path = sys.argv[1:4]
        m, n, k = (int(v) for v in sys.argv[4:7])
        voting, weights = sys.argv[7], json.loads(sys.argv[8])
        P = np.fromfile(pred_path, dtype=np.int32).reshape(m, n)
        Q = np.fromfile(proba_path, dtype=np.float64).reshape(m, n, k)
        y = np.fromfile(y_path, dtype=np.int32)

        class Fixed(ClassifierMixin, BaseEstimator):
            def __init__(self, member=0):
                self.member = member
            def fit(self, X, y):
                self.classes_ = np.unique(y)
                return self
            def predict(self, X):
                return P[self.member][X[:, 0].astype(int)]
            def predict_proba(self, X):
                return Q[self.member][X[:, 0].astype(int)]

        X = np.arange(n, dtype=np.float64).reshape(-1, 1)
        vote = VotingClassifier([('m%d' % i, Fixed(i)) for i in range(m)], voting=voting, weights=weights).fit(X, y)
        out = {'predict': vote.predict(X).tolist()}
        if voting == 'soft':
            out['proba'] = vote.predict_proba(X).tolist()
        print(json.dumps(out))
        """;

    public static TheoryData<string, double[]?> Cases() => new()
    {
        { "hard", null },
        { "hard", [1, 2, 0.5, 1] },
        { "hard", [0.1, 0.2, 0.3, 0] },
        { "soft", null },
        { "soft", [0.1, 0.2, 0.3, 0.4] },
        { "soft", [3, 0, 1, 1] },
    };

    [PythonTheory]
    [MemberData(nameof(Cases))]
    public void Votes_and_probabilities_are_scikit_learns(string voting, double[]? weights)
    {
        var (x, y) = SvmClassifierTests.Blobs(30, [2, 5, 9], 3, seed: 17, spread: 3);
        IClassifier[] learners =
        [
            new Pipeline(new StandardScaler(), new SvmClassifier { Probability = true, Seed = 1 }),
            new RandomForestClassifier { Trees = 5, MaxDepth = 3, Seed = 2 },
            new ExtraTreesClassifier { Trees = 4, MaxDepth = 2, Seed = 3 },
            new DummyClassifier(),
        ];
        var fitted = learners.Select(l => l.Fit(x, y)).ToArray();
        int m = fitted.Length, n = x.Rows, k = 3;
        int[][] predictions = fitted.Select(f => f.Predict(x)).ToArray();
        double[][,] probabilities = fitted.Select(f => f.PredictProbabilities(x)).ToArray();

        var rows = TableClassifier.Rows(n);
        var ensemble = new VotingClassifier(
            Enumerable.Range(0, m).Select(i => new VotingMember($"m{i}", new TableClassifier(predictions[i], probabilities[i]))).ToArray())
        {
            Voting = voting == "soft" ? VotingMode.Soft : VotingMode.Hard,
            Weights = weights,
        };
        var model = ensemble.Fit(rows, y);
        if (voting == "hard" && weights is null)
        {
            // Four members over three classes: some rows must be 2–2 or 1–1–1–1 ties for the tie rule to be compared.
            Enumerable.Range(0, n).Count(r => predictions.Select(p => p[r]).GroupBy(v => v).Select(g => g.Count()).OrderDescending().Take(2).Distinct().Count() == 1)
                .Should().BeGreaterThan(0, "the members tie on some rows");
        }

        int[] classes = [2, 5, 9];
        string predPath = PythonReference.WriteRaw<int>(predictions.SelectMany(p => p.Select(v => Array.IndexOf(classes, v))).ToArray());
        string probaPath = PythonReference.WriteRaw<double>(probabilities.SelectMany(p => p.Cast<double>()).ToArray());
        string yPath = PythonReference.WriteRaw<int>(y);
        JsonNode expected;
        try
        {
            string weightsJson = weights is null ? "null" : new JsonArray(weights.Select(w => (JsonNode)w).ToArray()).ToJsonString();
            expected = JsonNode.Parse(PythonReference.Run(
                Script, predPath, probaPath, yPath, Invariant(m), Invariant(n), Invariant(k), voting, weightsJson))!;
        }
        finally
        {
            File.Delete(predPath);
            File.Delete(probaPath);
            File.Delete(yPath);
        }

        model.Predict(rows).Should().Equal(expected["predict"]!.AsArray().Select(v => (int)v!));
        if (voting == "soft")
        {
            var theirs = expected["proba"]!.AsArray().Select(row => row!.AsArray().Select(v => (double)v!).ToArray()).ToArray();
            var ours = model.PredictProbabilities(rows);
            for (int r = 0; r < n; r++)
            {
                for (int c = 0; c < k; c++)
                {
                    ours[r, c].Should().BeApproximately(theirs[r][c], 1e-15, $"row {r}, class {classes[c]}");
                }
            }
        }
        else
        {
            model.SupportsProbabilities.Should().BeFalse("scikit-learn has no predict_proba with hard voting");
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
