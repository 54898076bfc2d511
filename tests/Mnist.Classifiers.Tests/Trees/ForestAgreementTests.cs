using System.Globalization;
using System.Text.Json.Nodes;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Tests.Reference;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Trees;

/// <summary>
/// The trees against scikit-learn 1.2: one tree grown on all rows and all features is scikit-learn's
/// <c>DecisionTreeClassifier</c> node for node (on continuous data, where no two splits tie); forests of 100 trees on
/// 10,000 MNIST rows reach scikit-learn's test accuracy within 0.5 points and its out-of-bag score within 1 point.
/// </summary>
public class ForestAgreementTests
{
    // Fits DecisionTreeClassifier on float32 rows and prints its tree_ arrays as JSON.
    private const string TreeScript = """
        import json, sys
        import numpy as np
        from sklearn.tree import DecisionTreeClassifier
        x_path, y_path, cols, options = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
        x = np.fromfile(x_path, dtype=np.float32).reshape(-1, cols)
        y = np.fromfile(y_path, dtype=np.int32)
        if options.get('class_weight'):
            options['class_weight'] = {int(k): v for k, v in options['class_weight'].items()}
        tree = DecisionTreeClassifier(random_state=0, **options).fit(x, y).tree_
        print(json.dumps({'feature': tree.feature.tolist(), 'threshold': tree.threshold.tolist(),
                          'left': tree.children_left.tolist(), 'right': tree.children_right.tolist(),
                          'value': tree.value[:, 0, :].tolist()}))
        """;

    public static TheoryData<string> TreeConfigurations() =>
        [
            "gini", "entropy", "entropy-integer-class-weights", "entropy-class-weights", "entropy-heavy-class-weights", "depth-3", "min-samples-leaf-7",
            "min-samples-split-30", "max-leaf-nodes-12", "min-impurity-decrease", "class-weight",
        ];

    [PythonTheory]
    [MemberData(nameof(TreeConfigurations))]
    public void A_single_tree_on_all_features_is_scikit_learns_decision_tree(string configuration)
    {
        // 250 rows: every feature has at most 256 distinct values, so its bins are exact and the search is scikit-learn's.
        var (x, y) = ForestTestData.Continuous(250, 6, 4, informative: 3, seed: 21, labelNoise: 0.15);
        var forest = new RandomForestClassifier { Trees = 1, Bootstrap = false, MaxFeatures = MaxFeatures.All, Seed = 5 };
        var options = new JsonObject();
        switch (configuration)
        {
            case "entropy":
                forest = forest with { Criterion = SplitCriterion.Entropy };
                options["criterion"] = "entropy";
                break;
            case "entropy-integer-class-weights":
                // Integer weights above 1: the entropy search's table of w · log2(w) is read at weights other than counts.
                forest = forest with { Criterion = SplitCriterion.Entropy, ClassWeights = new Dictionary<int, double> { [0] = 3, [2] = 2 } };
                options["criterion"] = "entropy";
                options["class_weight"] = new JsonObject { ["0"] = 3, ["1"] = 1, ["2"] = 2, ["3"] = 1 };
                break;
            case "entropy-class-weights":
                // Fractional class weights: the table read at units, scaled per class, the sides' totals by logarithms.
                forest = forest with { Criterion = SplitCriterion.Entropy, ClassWeights = new Dictionary<int, double> { [0] = 2.5, [3] = 0.5 } };
                options["criterion"] = "entropy";
                options["class_weight"] = new JsonObject { ["0"] = 2.5, ["3"] = 0.5 };
                break;
            case "entropy-heavy-class-weights":
                // A total weight of 5,000,000, above the table's limit: the search computes the logarithms instead.
                forest = forest with { Criterion = SplitCriterion.Entropy, ClassWeights = Enumerable.Range(0, 4).ToDictionary(c => c, _ => 20_000.0) };
                options["criterion"] = "entropy";
                options["class_weight"] = new JsonObject { ["0"] = 20_000, ["1"] = 20_000, ["2"] = 20_000, ["3"] = 20_000 };
                break;
            case "depth-3":
                forest = forest with { MaxDepth = 3 };
                options["max_depth"] = 3;
                break;
            case "min-samples-leaf-7":
                forest = forest with { MinSamplesLeaf = 7 };
                options["min_samples_leaf"] = 7;
                break;
            case "min-samples-split-30":
                forest = forest with { MinSamplesSplit = 30 };
                options["min_samples_split"] = 30;
                break;
            case "max-leaf-nodes-12":
                forest = forest with { MaxLeafNodes = 12 };
                options["max_leaf_nodes"] = 12;
                break;
            case "min-impurity-decrease":
                forest = forest with { MinImpurityDecrease = 0.002 };
                options["min_impurity_decrease"] = 0.002;
                break;
            case "class-weight":
                forest = forest with { ClassWeights = new Dictionary<int, double> { [0] = 2.5, [3] = 0.5 } };
                options["class_weight"] = new JsonObject { ["0"] = 2.5, ["3"] = 0.5 };
                break;
        }

        var model = forest.Fit(x, y);
        string xPath = PythonReference.WriteRaw<float>(x.AsSpan());
        string yPath = PythonReference.WriteRaw<int>(y);
        JsonNode expected;
        try
        {
            expected = JsonNode.Parse(PythonReference.Run(TreeScript, xPath, yPath, x.Columns.ToString(CultureInfo.InvariantCulture), options.ToJsonString()))!;
        }
        finally
        {
            File.Delete(xPath);
            File.Delete(yPath);
        }

        int[] features = expected["feature"]!.AsArray().Select(v => (int)v!).ToArray();
        double[] thresholds = expected["threshold"]!.AsArray().Select(v => (double)v!).ToArray();
        int[] left = expected["left"]!.AsArray().Select(v => (int)v!).ToArray();
        int[] right = expected["right"]!.AsArray().Select(v => (int)v!).ToArray();
        double[][] values = expected["value"]!.AsArray().Select(row => row!.AsArray().Select(v => (double)v!).ToArray()).ToArray();

        var nodes = ForestTestData.Tree(model, 0);
        features.Length.Should().BeGreaterThan(configuration == "depth-3" ? 7 : 15, "the reference tree is not trivial");
        var weights = y.Select(label => forest.ClassWeights?.GetValueOrDefault(label, 1.0) ?? 1.0).ToArray();
        bool entropy = forest.Criterion != SplitCriterion.Gini;
        int matched = 0, tied = 0, referenceSplits = features.Count(f => f >= 0);

        // Walks both trees from the root while they agree. Where scikit-learn's random feature order broke a tie between
        // equally good splits differently (common in small nodes: any feature that separates two rows is as good as any
        // other), both splits must be equally good, and the subtrees below are not compared.
        void Compare(int ours, int theirs, int[] rows)
        {
            bool ourLeaf = nodes[ours].IsLeaf, theirLeaf = left[theirs] == -1;
            ourLeaf.Should().Be(theirLeaf, $"scikit-learn's node {theirs} ({rows.Length} rows) is {(theirLeaf ? "a leaf" : "split")}");
            if (ourLeaf)
            {
                double total = values[theirs].Sum();
                var fractions = model.LeafValues.Slice(~nodes[ours].Left * 4, 4).ToArray();
                fractions.Should().Equal(values[theirs].Select(v => v / total), (a, b) => Math.Abs(a - b) < 1e-12, $"leaf {theirs}'s class fractions");
                return;
            }

            float threshold = TreeBuilder.FloorToSingle(thresholds[theirs]);
            if (nodes[ours].Feature == features[theirs] && nodes[ours].Threshold == threshold)
            {
                matched++;
                var goLeft = rows.Where(r => x[r, features[theirs]] <= threshold).ToArray();
                Compare(nodes[ours].Left, left[theirs], goLeft);
                Compare(nodes[ours].Right, right[theirs], rows.Except(goLeft).ToArray());
                return;
            }

            tied++;
            double ourProxy = Proxy(rows, r => x[r, nodes[ours].Feature] <= nodes[ours].Threshold);
            double theirProxy = Proxy(rows, r => x[r, features[theirs]] <= thresholds[theirs]);
            ourProxy.Should().BeApproximately(theirProxy, 1e-9 * Math.Abs(theirProxy), $"node {theirs} ({rows.Length} rows): another split, but as good");
        }

        double Proxy(int[] rows, Func<int, bool> goesLeft)
        {
            double Side(IEnumerable<int> side)
            {
                var counts = side.GroupBy(r => y[r]).Select(g => g.Sum(r => weights[r])).ToArray();
                double w = counts.Sum();
                double impurity = entropy ? -counts.Sum(c => c / w * Math.Log2(c / w)) : 1 - counts.Sum(c => c / w * (c / w));
                return w * impurity;
            }

            return -Side(rows.Where(goesLeft)) - Side(rows.Where(r => !goesLeft(r)));
        }

        Compare(0, 0, Enumerable.Range(0, x.Rows).ToArray());
        matched.Should().BeGreaterThan(referenceSplits / 3, $"most splits are unambiguous ({matched} matched, {tied} ties, {referenceSplits} splits)");
        if (tied == 0)
        {
            nodes.Length.Should().Be(features.Length);
        }
    }

    /// <summary>The two forests on MNIST, skipped (saying why) where the MNIST files are missing.</summary>
    public static TheoryData<string> MnistForests() => ["random-forest", "extra-trees"];

    // Fits scikit-learn's forest (100 trees, 2 jobs) and prints its test accuracy and out-of-bag score as JSON.
    private const string ForestScript = """
        import json, sys
        import numpy as np
        from sklearn.ensemble import RandomForestClassifier, ExtraTreesClassifier
        kind, cols = sys.argv[1], int(sys.argv[6])
        x = np.fromfile(sys.argv[2], dtype=np.float32).reshape(-1, cols)
        y = np.fromfile(sys.argv[3], dtype=np.int32)
        xt = np.fromfile(sys.argv[4], dtype=np.float32).reshape(-1, cols)
        yt = np.fromfile(sys.argv[5], dtype=np.int32)
        if kind == 'random-forest':
            model = RandomForestClassifier(n_estimators=100, oob_score=True, n_jobs=2, random_state=0).fit(x, y)
            oob = model.oob_score_
        else:
            model = ExtraTreesClassifier(n_estimators=100, n_jobs=2, random_state=0).fit(x, y)
            oob = None
        print(json.dumps({'accuracy': float((model.predict(xt) == yt).mean()), 'oob': oob}))
        """;

    [PythonTheory]
    [MnistMemberData(nameof(MnistForests))]
    public void A_forest_on_mnist_is_as_accurate_as_scikit_learns(string kind)
    {
        var data = ReferenceData.MnistSubset(trainRows: 10_000, testRows: 10_000);
        ForestModel model = kind == "random-forest"
            ? new RandomForestClassifier { OutOfBagScore = true, Seed = 1 }.Fit(data.Train, data.TrainLabels)
            : new ExtraTreesClassifier { Seed = 1 }.Fit(data.Train, data.TrainLabels);
        double accuracy = model.Predict(data.Test).Zip(data.TestLabels).Count(p => p.First == p.Second) / (double)data.Test.Rows;

        string[] paths =
        [
            PythonReference.WriteRaw<float>(data.Train.AsSpan()), PythonReference.WriteRaw<int>(data.TrainLabels),
            PythonReference.WriteRaw<float>(data.Test.AsSpan()), PythonReference.WriteRaw<int>(data.TestLabels),
        ];
        JsonNode expected;
        try
        {
            expected = JsonNode.Parse(PythonReference.Run(ForestScript, [kind, .. paths, "784"]))!;
        }
        finally
        {
            foreach (string path in paths)
            {
                File.Delete(path);
            }
        }

        double reference = (double)expected["accuracy"]!;
        reference.Should().BeGreaterThan(0.93, "scikit-learn's forests reach about 95% on these rows");
        accuracy.Should().BeApproximately(reference, 0.005, $"{kind}: ours {accuracy:F4}, scikit-learn's {reference:F4}");
        if (kind == "random-forest")
        {
            double oob = (double)expected["oob"]!;
            model.OutOfBagScore!.Value.Should().BeApproximately(oob, 0.01, $"out-of-bag: ours {model.OutOfBagScore:F4}, scikit-learn's {oob:F4}");
        }
    }
}
