using Mnist.Classifiers.Data;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Trees;

public class ForestClassifierTests
{
    public static TheoryData<bool> Kinds() => [false, true];

    private static IClassifier Learner(bool extra, Func<RandomForestClassifier, RandomForestClassifier>? configure = null)
    {
        var forest = configure is null ? new RandomForestClassifier() : configure(new RandomForestClassifier());
        return extra ? ToExtra(forest) : forest;
    }

    private static ExtraTreesClassifier ToExtra(RandomForestClassifier f) => new()
    {
        Trees = f.Trees, Criterion = f.Criterion, MaxDepth = f.MaxDepth, MinSamplesSplit = f.MinSamplesSplit, MinSamplesLeaf = f.MinSamplesLeaf,
        MinImpurityDecrease = f.MinImpurityDecrease, MaxFeatures = f.MaxFeatures, MaxLeafNodes = f.MaxLeafNodes, Bootstrap = f.Bootstrap,
        MaxSamples = f.MaxSamples, OutOfBagScore = f.OutOfBagScore, ClassWeights = f.ClassWeights, ClassWeightMode = f.ClassWeightMode, Seed = f.Seed,
    };

    [Fact]
    public void The_defaults_are_scikit_learns()
    {
        var forest = new RandomForestClassifier();
        forest.Trees.Should().Be(100);
        forest.Criterion.Should().Be(SplitCriterion.Gini);
        forest.MaxFeatures.Should().Be(MaxFeatures.Sqrt);
        forest.Bootstrap.Should().BeTrue();
        new ExtraTreesClassifier().Bootstrap.Should().BeFalse();
        (forest with { Trees = 5 }).Bootstrap.Should().BeTrue("a variant keeps its forest's defaults");
        (new ExtraTreesClassifier() with { Trees = 5 }).Bootstrap.Should().BeFalse();
        ((ForestClassifier)new ExtraTreesClassifier()).Should().NotBe(new RandomForestClassifier { Bootstrap = false }, "the two forests are different learners");
        MaxFeatures.Sqrt.Resolve(784).Should().Be(28);
        MaxFeatures.Log2.Resolve(784).Should().Be(9);
        MaxFeatures.All.Resolve(7).Should().Be(7);
        MaxFeatures.Fraction(0.1).Resolve(5).Should().Be(1);
        MaxFeatures.Fraction(0.5).Resolve(9).Should().Be(4);
        MaxFeatures.Count(3).Resolve(3).Should().Be(3);
        ((Action)(() => MaxFeatures.Count(4).Resolve(3))).Should().Throw<ArgumentException>().WithMessage("*MaxFeatures*");
        default(MaxFeatures).Should().Be(MaxFeatures.Sqrt);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Unlimited_trees_fit_separable_training_data_exactly(bool extra)
    {
        var (x, y) = ForestTestData.Continuous(300, 6, 4, informative: 3, seed: 1, labelNoise: 0.1);
        var model = (ForestModel)Learner(extra, f => f with { Trees = 10, Bootstrap = false }).Fit(x, y);
        model.Predict(x).Should().Equal(y);
        model.IsExtraTrees.Should().Be(extra);
        model.TreeCount.Should().Be(10);
        model.FitTime.Should().NotBeNull();
        model.OutOfBagScore.Should().BeNull();
        for (int t = 0; t < model.TreeCount; t++)
        {
            var nodes = ForestTestData.Tree(model, t);
            var rows = ForestTestData.RowsPerNode(nodes, x);
            for (int i = 0; i < nodes.Length; i++)
            {
                if (nodes[i].IsLeaf)
                {
                    rows[i].Select(r => y[r]).Distinct().Should().HaveCount(1, "every leaf of an unlimited tree is pure");
                }
            }
        }
    }

    public static TheoryData<bool, string> Limits()
    {
        var data = new TheoryData<bool, string>();
        foreach (bool extra in new[] { false, true })
        {
            foreach (string limit in new[] { "depth", "split", "leaf", "leaves", "impurity", "entropy-impurity" })
            {
                data.Add(extra, limit);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void Every_limit_holds_in_every_tree(bool extra, string limit)
    {
        var (x, y) = ForestTestData.Continuous(400, 5, 3, informative: 2, seed: 2, labelNoise: 0.2);
        var learner = Learner(extra, f => (f with { Trees = 5, Bootstrap = false, MaxFeatures = MaxFeatures.Count(3) }) switch
        {
            var g when limit == "depth" => g with { MaxDepth = 4 },
            var g when limit == "split" => g with { MinSamplesSplit = 40 },
            var g when limit == "leaf" => g with { MinSamplesLeaf = 15 },
            var g when limit == "leaves" => g with { MaxLeafNodes = 9 },
            var g when limit == "impurity" => g with { MinImpurityDecrease = 0.01 },
            var g => g with { MinImpurityDecrease = 0.01, Criterion = SplitCriterion.Entropy },
        });
        var model = (ForestModel)learner.Fit(x, y);
        var unlimited = (ForestModel)Learner(extra, f => f with { Trees = 5, Bootstrap = false, MaxFeatures = MaxFeatures.Count(3) }).Fit(x, y);
        model.NodeCount.Should().BeLessThan(unlimited.NodeCount, "the limit stopped some growth");
        for (int t = 0; t < model.TreeCount; t++)
        {
            var nodes = ForestTestData.Tree(model, t);
            var rows = ForestTestData.RowsPerNode(nodes, x);
            var depths = ForestTestData.Depths(nodes);
            for (int i = 0; i < nodes.Length; i++)
            {
                switch (limit)
                {
                    case "depth":
                        depths[i].Should().BeLessThanOrEqualTo(4);
                        break;
                    case "split" when !nodes[i].IsLeaf:
                        rows[i].Count.Should().BeGreaterThanOrEqualTo(40);
                        break;
                    case "leaf" when nodes[i].IsLeaf:
                        rows[i].Count.Should().BeGreaterThanOrEqualTo(15);
                        break;
                    case "impurity" or "entropy-impurity" when !nodes[i].IsLeaf:
                        bool entropy = limit != "impurity";
                        double n = x.Rows, nt = rows[i].Count, nl = rows[nodes[i].Left].Count, nr = rows[nodes[i].Right].Count;
                        double decrease = nt / n * (Impurity(rows[i], y, entropy) - (nr / nt * Impurity(rows[nodes[i].Right], y, entropy))
                            - (nl / nt * Impurity(rows[nodes[i].Left], y, entropy)));
                        decrease.Should().BeGreaterThanOrEqualTo(0.01 - 1e-12);
                        break;
                }
            }

            if (limit == "leaves")
            {
                nodes.Count(n => n.IsLeaf).Should().BeLessThanOrEqualTo(9);
            }
        }

        if (limit == "depth")
        {
            model.MaxDepthReached.Should().Be(4);
        }

        if (limit == "leaves")
        {
            Enumerable.Range(0, model.TreeCount).Should().Contain(t => ForestTestData.Tree(model, t).Count(n => n.IsLeaf) == 9);
        }
    }

    private static double Impurity(List<int> rows, int[] y, bool entropy)
    {
        var counts = rows.GroupBy(r => y[r]).Select(g => (double)g.Count()).ToArray();
        double n = rows.Count;
        return entropy ? -counts.Sum(c => c / n * Math.Log2(c / n)) : 1 - counts.Sum(c => c / n * (c / n));
    }

    public static TheoryData<bool, bool> Determinism() => new() { { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Determinism))]
    public void A_seed_gives_the_identical_forest_for_any_thread_count(bool extra, bool bootstrap)
    {
        var (x, y) = ForestTestData.Continuous(500, 12, 5, informative: 4, seed: 3, labelNoise: 0.1);
        var learner = Learner(extra, f => f with { Trees = 16, Bootstrap = bootstrap, OutOfBagScore = bootstrap, Seed = 42 });
        var models = new[] { 1, 2, 4 }.Select(threads => (ForestModel)learner.Fit(x, y, ComputeBudget.Default.WithThreads(threads))).ToArray();
        foreach (var model in models.Skip(1))
        {
            model.Nodes.ToArray().Should().Equal(models[0].Nodes.ToArray());
            model.LeafValues.ToArray().Should().Equal(models[0].LeafValues.ToArray());
            model.FeatureImportances.Should().Equal(models[0].FeatureImportances);
            model.OutOfBagScore.Should().Be(models[0].OutOfBagScore);
            model.PredictProbabilities(x, ComputeBudget.Default.WithThreads(3)).Should().BeEquivalentTo(
                models[0].PredictProbabilities(x, ComputeBudget.Default.WithThreads(1)), o => o.WithStrictOrdering());
        }

        var other = (ForestModel)Learner(extra, f => f with { Trees = 16, Bootstrap = bootstrap, Seed = 43 }).Fit(x, y);
        other.Nodes.ToArray().Should().NotEqual(models[0].Nodes.ToArray(), "another seed grows other trees");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Importances_find_the_informative_features_and_sum_to_1(bool extra)
    {
        var (x, y) = ForestTestData.Continuous(600, 10, 3, informative: 2, seed: 4);
        var model = (ForestModel)Learner(extra, f => f with { Trees = 30 }).Fit(x, y);
        var importances = model.FeatureImportances;
        importances.Sum().Should().BeApproximately(1, 1e-12);
        importances.Should().OnlyContain(v => v >= 0);
        importances.Select((v, f) => (v, f)).OrderByDescending(p => p.v).Take(2).Select(p => p.f).Should().BeEquivalentTo([0, 1]);
        (importances[0] + importances[1]).Should().BeGreaterThan(0.5);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Probabilities_sum_to_1_and_predictions_are_their_argmax(bool extra)
    {
        var (x, y) = ForestTestData.Continuous(300, 6, 4, informative: 3, seed: 5, labelNoise: 0.3);
        int[] labels = y.Select(v => v * 10 - 7).ToArray();
        var (test, _) = ForestTestData.Continuous(200, 6, 4, informative: 3, seed: 6);
        var model = (ForestModel)Learner(extra, f => f with { Trees = 25, MaxDepth = 6 }).Fit(x, labels);
        model.Classes.Should().Equal(-7, 3, 13, 23);
        model.SupportsProbabilities.Should().BeTrue();
        model.SupportsDecisionFunction.Should().BeFalse();
        ((Action)(() => model.DecisionFunction(test))).Should().Throw<NotSupportedException>().WithMessage("*ForestModel*decision function*");
        var p = model.PredictProbabilities(test);
        int[] predicted = model.Predict(test);
        for (int r = 0; r < test.Rows; r++)
        {
            var row = Enumerable.Range(0, 4).Select(c => p[r, c]).ToArray();
            row.Sum().Should().BeApproximately(1, 1e-12);
            row.Should().OnlyContain(v => v >= 0 && v <= 1);
            predicted[r].Should().Be(model.Classes[Array.IndexOf(row, row.Max())]);
        }

        ((Action)(() => model.Predict(new FeatureMatrix(new float[5], 5)))).Should().Throw<ArgumentException>().WithMessage("*6 features*5*");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Probabilities_are_the_mean_of_the_leaves_fractions_bit_for_bit(bool extra)
    {
        // Depth 4 on noisy labels leaves both pure leaves (prediction adds their 1 without reading the fractions) and
        // mixed ones; the sums must be those of adding every leaf's fractions in tree order.
        var (x, y) = ForestTestData.Continuous(400, 6, 4, informative: 3, seed: 8, labelNoise: 0.2);
        var (test, _) = ForestTestData.Continuous(150, 6, 4, informative: 3, seed: 9);
        var model = (ForestModel)Learner(extra, f => f with { Trees = 20, MaxDepth = 4 }).Fit(x, y);
        var values = model.LeafValues.ToArray();
        int pure = 0, mixed = 0;
        for (int i = 0; i < values.Length / 4; i++)
        {
            _ = values.Skip(i * 4).Take(4).Count(v => v == 1.0) == 1 ? pure++ : mixed++;
        }

        pure.Should().BePositive();
        mixed.Should().BePositive();
        var p = model.PredictProbabilities(test);
        for (int r = 0; r < test.Rows; r++)
        {
            var sum = new double[4];
            for (int t = 0; t < model.TreeCount; t++)
            {
                var nodes = ForestTestData.Tree(model, t);
                int leaf = ~nodes[ForestTestData.Path(nodes, test.Row(r))[^1]].Left;
                for (int c = 0; c < 4; c++)
                {
                    sum[c] += values[(leaf * 4) + c];
                }
            }

            for (int c = 0; c < 4; c++)
            {
                p[r, c].Should().Be(sum[c] * (1.0 / model.TreeCount));
            }
        }
    }

    [Fact]
    public void One_class_gives_single_leaf_trees()
    {
        var (x, _) = ForestTestData.Continuous(20, 3, 2, informative: 1, seed: 7);
        var model = new RandomForestClassifier { Trees = 3 }.Fit(x, Enumerable.Repeat(5, 20).ToArray());
        model.NodeCount.Should().Be(3);
        model.Predict(x).Should().OnlyContain(v => v == 5);
        model.FeatureImportances.Should().OnlyContain(v => v == 0);
    }

    [Fact]
    public void Class_weights_and_bootstrap_samples_change_the_trees_as_weights()
    {
        var (x, y) = ForestTestData.Continuous(300, 5, 3, informative: 2, seed: 8, labelNoise: 0.3);
        // Shallow trees cannot fit every row, so weighting class 0 up makes them predict it more often.
        var plain = new RandomForestClassifier { Trees = 8, Seed = 1, MaxDepth = 3 }.Fit(x, y);
        var weighted = new RandomForestClassifier { Trees = 8, Seed = 1, MaxDepth = 3, ClassWeights = new Dictionary<int, double> { [0] = 5 } }.Fit(x, y);
        var balanced = new RandomForestClassifier { Trees = 8, Seed = 1, ClassWeightMode = ClassWeightMode.BalancedSubsample, MaxSamples = 0.5 }.Fit(x, y);
        weighted.Nodes.ToArray().Should().NotEqual(plain.Nodes.ToArray());
        weighted.Predict(x).Count(v => v == 0).Should().BeGreaterThan(plain.Predict(x).Count(v => v == 0));
        balanced.Nodes.ToArray().Should().NotEqual(plain.Nodes.ToArray());
        var act = () => new RandomForestClassifier { ClassWeights = new Dictionary<int, double> { [9] = 2 } }.Fit(x, y);
        act.Should().Throw<ArgumentException>().WithMessage("*class 9*").And.ParamName.Should().Be("ClassWeights");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Integer_weights_summing_past_32_bits_grow_the_trees_of_unit_weights(bool extra)
    {
        // 300 rows of weight 2^30 sum past 2^32, more than a packed integer histogram word holds; multiplying every
        // weight by a power of two changes no comparison, so the trees must be those of unit weights.
        var (x, y) = ForestTestData.Continuous(300, 5, 3, informative: 2, seed: 8, labelNoise: 0.3);
        var heavy = new Dictionary<int, double> { [0] = 1 << 30, [1] = 1 << 30, [2] = 1 << 30 };
        var plain = (ForestModel)Learner(extra, f => f with { Trees = 4, Bootstrap = false, Seed = 2 }).Fit(x, y);
        var weighted = (ForestModel)Learner(extra, f => f with { Trees = 4, Bootstrap = false, Seed = 2, ClassWeights = heavy }).Fit(x, y);
        plain.NodeCount.Should().BeGreaterThan(4 * 3, "the trees split");
        weighted.Nodes.ToArray().Should().Equal(plain.Nodes.ToArray());
        weighted.LeafValues.ToArray().Should().Equal(plain.LeafValues.ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Fractional_class_weights_alike_for_every_class_grow_the_trees_of_unit_weights(bool extra)
    {
        // Bootstrap counts times 0.75: weights that are not integers but whole multiples of one factor per class, which
        // the histograms pack as counts and the split search scales back. The same factor for every class scales every
        // split's proxy alike, so the trees are those of unit class weights (whose weights are the counts themselves).
        var (x, y) = ForestTestData.Continuous(300, 5, 3, informative: 2, seed: 8, labelNoise: 0.3);
        var alike = new Dictionary<int, double> { [0] = 0.75, [1] = 0.75, [2] = 0.75 };
        var plain = (ForestModel)Learner(extra, f => f with { Trees = 4, Seed = 2 }).Fit(x, y);
        var weighted = (ForestModel)Learner(extra, f => f with { Trees = 4, Seed = 2, ClassWeights = alike }).Fit(x, y);
        plain.NodeCount.Should().BeGreaterThan(4 * 3, "the trees split");
        weighted.Nodes.ToArray().Should().Equal(plain.Nodes.ToArray());
        weighted.LeafValues.ToArray().Should().Equal(plain.LeafValues.ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void A_node_of_one_class_is_a_leaf_whatever_the_class_weights()
    {
        // Weights whose sums round (balanced weights of unequal classes look like these): scikit-learn takes a child's
        // impurity as the parent's class weights minus the other side's, whose rounding residue can exceed its ε in a
        // node of one class, and splits that node again. Here a node's impurity comes from its own rows: a pure node is
        // always a leaf.
        var (x, y) = ForestTestData.Continuous(600, 6, 4, informative: 3, seed: 12, labelNoise: 0.2);
        var weights = new Dictionary<int, double> { [0] = 1.0460251046025104, [1] = 0.8880994671403197, [2] = 1.1820330969267139, [3] = 0.9578544061302682 };
        var model = (ForestModel)new RandomForestClassifier { Trees = 1, Bootstrap = false, MaxFeatures = MaxFeatures.All, Seed = 3, ClassWeights = weights }.Fit(x, y);
        var nodes = ForestTestData.Tree(model, 0);
        int internalNodes = 0;
        void Walk(int node, int[] rows)
        {
            if (nodes[node].IsLeaf)
            {
                return;
            }

            internalNodes++;
            rows.Select(r => y[r]).Distinct().Count().Should().BeGreaterThan(1, $"node {node} ({rows.Length} rows) is split");
            var left = rows.Where(r => x[r, nodes[node].Feature] <= nodes[node].Threshold).ToArray();
            Walk(nodes[node].Left, left);
            Walk(nodes[node].Right, rows.Except(left).ToArray());
        }

        Walk(0, Enumerable.Range(0, x.Rows).ToArray());
        internalNodes.Should().BeGreaterThan(20, "the tree grows until its leaves are pure");
    }

    [Fact]
    public void Out_of_bag_score_is_the_accuracy_on_rows_left_out()
    {
        var (x, y) = ForestTestData.Continuous(400, 6, 3, informative: 2, seed: 9, labelNoise: 0.2);
        var model = new RandomForestClassifier { Trees = 40, OutOfBagScore = true, Seed = 3 }.Fit(x, y);
        model.OutOfBagScore.Should().NotBeNull();
        model.OutOfBagScore!.Value.Should().BeInRange(0.6, 0.9, "about 80% of labels are learnable and the training accuracy is 100%");
        model.Predict(x).Zip(y).Count(p => p.First == p.Second).Should().BeGreaterThan((int)(model.OutOfBagScore.Value * 400));
    }

    [Fact]
    public void Non_finite_values_are_refused()
    {
        var values = new float[] { 1, 2, float.NaN, 4 };
        var act = () => new ExtraTreesClassifier { Trees = 2 }.Fit(new FeatureMatrix(values, 2), [0, 1]);
        act.Should().Throw<ArgumentException>().WithMessage("*holds NaN at row 1, column 0*");
    }

    public static TheoryData<RandomForestClassifier, string> InvalidOptions() => new()
    {
        { new RandomForestClassifier { Trees = 0 }, "Trees" },
        { new RandomForestClassifier { Criterion = (SplitCriterion)9 }, "Criterion" },
        { new RandomForestClassifier { MaxDepth = 0 }, "MaxDepth" },
        { new RandomForestClassifier { MinSamplesSplit = 1 }, "MinSamplesSplit" },
        { new RandomForestClassifier { MinSamplesLeaf = 0 }, "MinSamplesLeaf" },
        { new RandomForestClassifier { MinImpurityDecrease = -0.1 }, "MinImpurityDecrease" },
        { new RandomForestClassifier { MinImpurityDecrease = double.NaN }, "MinImpurityDecrease" },
        { new RandomForestClassifier { MaxLeafNodes = 1 }, "MaxLeafNodes" },
        { new RandomForestClassifier { MaxSamples = 0 }, "MaxSamples" },
        { new RandomForestClassifier { MaxSamples = 1.5 }, "MaxSamples" },
        { new RandomForestClassifier { MaxSamples = 0.5, Bootstrap = false }, "MaxSamples" },
        { new RandomForestClassifier { OutOfBagScore = true, Bootstrap = false }, "OutOfBagScore" },
        { new RandomForestClassifier { ClassWeightMode = (ClassWeightMode)7 }, "ClassWeightMode" },
        { new RandomForestClassifier { ClassWeightMode = ClassWeightMode.Balanced, ClassWeights = new Dictionary<int, double> { [0] = 1 } }, "ClassWeights" },
        { new RandomForestClassifier { ClassWeights = new Dictionary<int, double> { [0] = 0 } }, "ClassWeights" },
        { new RandomForestClassifier { ClassWeights = new Dictionary<int, double> { [0] = double.PositiveInfinity } }, "ClassWeights" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_names_the_bad_option(RandomForestClassifier forest, string option)
    {
        forest.Invoking(f => f.Validate()).Should().Throw<ArgumentException>().Which.ParamName.Should().Be(option);
        ToExtra(forest).Invoking(f => f.Validate()).Should().Throw<ArgumentException>().Which.ParamName.Should().Be(option);
        var (x, y) = ForestTestData.Continuous(10, 2, 2, informative: 1, seed: 1);
        forest.Invoking(f => f.Fit(x, y)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be(option);
    }

    [Fact]
    public void Extra_trees_without_bootstrap_refuse_an_out_of_bag_score_by_default()
    {
        new ExtraTreesClassifier { OutOfBagScore = true }.Invoking(f => f.Validate()).Should().Throw<ArgumentException>()
            .Which.ParamName.Should().Be("OutOfBagScore");
        new ExtraTreesClassifier { OutOfBagScore = true, Bootstrap = true }.Validate();
    }
}
