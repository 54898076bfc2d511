using Mnist.Classifiers.Data;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Ensembles;

public class VotingClassifierTests
{
    // Three members' labels for four rows of classes {1, 4, 7}; the expected votes below are worked out by hand.
    private static readonly int[] A = [1, 4, 1, 7];
    private static readonly int[] B = [1, 7, 4, 4];
    private static readonly int[] C = [4, 7, 7, 4];
    private static readonly int[] Labels = [1, 4, 7, 1];

    private static VotingClassifier Hard(params int[][] members) =>
        new(members.Select((p, i) => new VotingMember($"m{i}", new TableClassifier(p))).ToArray());

    private static int[] Vote(VotingClassifier ensemble) =>
        ensemble.Fit(TableClassifier.Rows(4), Labels).Predict(TableClassifier.Rows(4));

    [Fact]
    public void Hard_voting_is_the_majority_label_and_a_tie_goes_to_the_smallest_label()
    {
        // Row 0: 1 twice; row 1: 7 twice; row 2: 1, 4 and 7 once each (tie → 1); row 3: 4 twice.
        Vote(Hard(A, B, C)).Should().Equal(1, 7, 1, 4);
        // Two members: rows 1 to 3 are ties (4 or 7, 1 or 4, 7 or 4), which the smallest label wins whatever the member order.
        Vote(Hard(A, B)).Should().Equal(1, 4, 1, 4);
        Vote(Hard(B, A)).Should().Equal(1, 4, 1, 4);
    }

    [Fact]
    public void Weights_change_the_vote_as_computed_by_hand()
    {
        // [1, 1, 3]: row 0: 1 gets 2, 4 gets 3; row 1: 4 gets 1, 7 gets 4; row 2: 7 gets 3; row 3: 4 gets 4.
        Vote(Hard(A, B, C) with { Weights = [1, 1, 3] }).Should().Equal(4, 7, 7, 4);
        // [2, 1, 1]: row 0: 1 gets 3; row 1: 4 and 7 get 2 (tie → 4); row 2: 1 gets 2; row 3: 7 and 4 get 2 (tie → 4).
        Vote(Hard(A, B, C) with { Weights = [2, 1, 1] }).Should().Equal(1, 4, 1, 4);
        // A zero weight silences a member: only B counts.
        Vote(Hard(A, B, C) with { Weights = [0, 1, 0] }).Should().Equal(B);
    }

    [Fact]
    public void Soft_voting_is_the_weighted_mean_of_the_probabilities_and_a_tie_goes_to_the_first_class()
    {
        double[,] a = { { 0.75, 0.25 }, { 0.25, 0.75 } };
        double[,] b = { { 0.25, 0.75 }, { 0.75, 0.25 } };
        var ensemble = new VotingClassifier([new("a", new TableClassifier([0, 1], a)), new("b", new TableClassifier([1, 0], b))])
        {
            Voting = VotingMode.Soft,
        };
        var x = TableClassifier.Rows(2);

        // Equal weights: both rows are (0.5, 0.5), a tie that the first class wins.
        var model = ensemble.Fit(x, [0, 1]);
        model.PredictProbabilities(x).Should().BeEquivalentTo(new double[,] { { 0.5, 0.5 }, { 0.5, 0.5 } });
        model.Predict(x).Should().Equal(0, 0);

        // Weights 1 and 3: row 0 is ((0.75 + 0.75) / 4, (0.25 + 2.25) / 4); row 1 is ((0.25 + 2.25) / 4, (0.75 + 0.75) / 4).
        var weighted = (ensemble with { Weights = [1, 3] }).Fit(x, [0, 1]);
        weighted.PredictProbabilities(x).Should().BeEquivalentTo(new double[,] { { 0.375, 0.625 }, { 0.625, 0.375 } });
        weighted.Predict(x).Should().Equal(1, 0);
    }

    [Fact]
    public void Soft_voting_of_fitted_learners_equals_the_weighted_mean_of_their_own_probabilities()
    {
        var (x, y) = SvmClassifierTests.Blobs(20, [0, 3, 5], 4, seed: 3, spread: 2.5);
        IClassifier[] learners =
        [
            new SvmClassifier { Probability = true, Seed = 2 },
            new RandomForestClassifier { Trees = 10, Seed = 1 },
            new Pipeline(new StandardScaler(), new ExtraTreesClassifier { Trees = 10, Seed = 4 }),
            new DummyClassifier(),
        ];
        double[] weights = [2, 1, 0.5, 0.25];
        var ensemble = new VotingClassifier(learners.Select((l, i) => new VotingMember($"m{i}", l)).ToArray())
        {
            Voting = VotingMode.Soft,
            Weights = weights,
        };
        var model = ensemble.Fit(x, y);
        var probabilities = model.PredictProbabilities(x);
        int[] predicted = model.Predict(x);

        var own = learners.Select(l => l.Fit(x, y).PredictProbabilities(x)).ToArray();
        for (int r = 0; r < x.Rows; r++)
        {
            var expected = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, 4).Sum(m => weights[m] * own[m][r, c]) / weights.Sum()).ToArray();
            for (int c = 0; c < 3; c++)
            {
                probabilities[r, c].Should().BeApproximately(expected[c], 1e-15);
            }

            predicted[r].Should().Be(model.Classes[Array.IndexOf(expected, expected.Max())]);
        }

        predicted.Zip(y).Count(p => p.First == p.Second).Should().BeGreaterThan(x.Rows * 3 / 4, "the vote learned the blobs");
    }

    [Fact]
    public void The_model_holds_the_fitted_members_their_names_the_mode_and_the_weights()
    {
        var (x, y) = SvmClassifierTests.Blobs(15, [2, 6], 3, seed: 8);
        var model = new VotingClassifier([new("svm", new SvmClassifier()), new("rf", new RandomForestClassifier { Trees = 5 })])
        {
            Weights = [3, 1],
        }.Fit(x, y);

        model.MemberNames.Should().Equal("svm", "rf");
        model.Members[0].Should().BeOfType<SvmModel>();
        model.Members[1].Should().BeOfType<ForestModel>();
        model.Voting.Should().Be(VotingMode.Hard);
        model.Weights.Should().Equal(3, 1);
        model.Classes.Should().Equal(2, 6);
        model.FeatureCount.Should().Be(3);
        model.FitTime.Should().BePositive();
        model.SupportsProbabilities.Should().BeFalse();
        model.SupportsDecisionFunction.Should().BeFalse();
        // With weight 3 against 1 the SVM decides every row.
        model.Predict(x).Should().Equal(((SvmModel)model.Members[0]).Predict(x));
    }

    [Fact]
    public void Hard_voting_gives_no_probabilities_and_no_voting_gives_a_decision_function()
    {
        var x = TableClassifier.Rows(4);
        var hard = Hard(A, B, C).Fit(x, Labels);
        var act = () => hard.PredictProbabilities(x);
        act.Should().Throw<NotSupportedException>().WithMessage("*VotingModel does not provide class probabilities*Voting = VotingMode.Soft*");
        ((Action)(() => hard.DecisionFunction(x))).Should().Throw<NotSupportedException>();

        double[,] p = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 }, { 1, 0, 0 } };
        var soft = new VotingClassifier([new("t", new TableClassifier(A, p))]) { Voting = VotingMode.Soft }.Fit(x, Labels);
        soft.SupportsProbabilities.Should().BeTrue();
        ((Action)(() => soft.DecisionFunction(x))).Should().Throw<NotSupportedException>();
    }

    [Fact]
    public void Soft_voting_with_a_member_without_probabilities_fails_at_fit_naming_the_member()
    {
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1, 2], 2, seed: 1);
        var ensemble = new VotingClassifier(
        [
            new("forest", new RandomForestClassifier { Trees = 3 }),
            new("plain-svm", new Pipeline(new StandardScaler(), new SvmClassifier())),
        ])
        {
            Voting = VotingMode.Soft,
        };

        var act = () => ensemble.Fit(x, y);
        act.Should().Throw<ArgumentException>()
            .WithMessage("Soft voting*member 'plain-svm' (Pipeline) gives none*Probability = true*hard voting*")
            .Which.ParamName.Should().Be("Voting");

        // The same members vote hard, and softly once the SVM gives probabilities.
        (ensemble with { Voting = VotingMode.Hard }).Fit(x, y).Predict(x).Should().HaveCount(x.Rows);
        var probabilistic = ensemble with
        {
            Members = [ensemble.Members[0], new("svm", new Pipeline(new StandardScaler(), new SvmClassifier { Probability = true }))],
        };
        probabilistic.Fit(x, y).SupportsProbabilities.Should().BeTrue();
    }

    [Fact]
    public void A_members_own_fit_error_is_rethrown_as_it_is()
    {
        // The SVM needs two classes; its ArgumentException reaches the caller unwrapped.
        var (x, _) = SvmClassifierTests.Blobs(5, [0, 1], 2, seed: 1);
        int[] oneClass = new int[x.Rows];
        var ensemble = new VotingClassifier([new("dummy", new DummyClassifier()), new("svm", new SvmClassifier())]);
        var act = () => ensemble.Fit(x, oneClass, new ComputeBudget(2, ComputeBudget.MinimumMemoryBytes * 4));
        act.Should().ThrowExactly<ArgumentException>().WithMessage("The labels hold only one class (0); at least two are needed.*")
            .Which.ParamName.Should().Be("labels");
    }

    [Fact]
    public void Members_whose_models_disagree_on_the_classes_cannot_vote()
    {
        var ensemble = new VotingClassifier(
            [new("a", new TableClassifier(A)), new("b", new TableClassifier(B) { Classes = [1, 4, 7, 9] })]);
        var act = () => ensemble.Fit(TableClassifier.Rows(4), Labels);
        act.Should().Throw<InvalidOperationException>().WithMessage("*member 'b' has classes [1, 4, 7, 9] but member 'a' has [1, 4, 7]*");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Members_are_fitted_concurrent_parts_at_a_time_each_with_a_split_of_the_budget(int threads)
    {
        var budget = new ComputeBudget(threads, 64L << 20);
        var seen = new System.Collections.Concurrent.ConcurrentBag<ComputeBudget>();
        int running = 0, mostAtOnce = 0;
        void OnFit(ComputeBudget memberBudget)
        {
            seen.Add(memberBudget);
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            Thread.Sleep(30);
            Interlocked.Decrement(ref running);
        }

        var ensemble = new VotingClassifier(
            Enumerable.Range(0, 4).Select(i => new VotingMember($"m{i}", new TableClassifier(A) { OnFit = OnFit })).ToArray());
        ensemble.Fit(TableClassifier.Rows(4), Labels, budget);

        seen.Should().HaveCount(4).And.AllBeEquivalentTo(budget.Split(4));
        mostAtOnce.Should().BeInRange(1, budget.ConcurrentParts(4));
    }

    [Fact]
    public void One_and_two_threads_give_the_same_votes_and_probabilities()
    {
        var (x, y) = SvmClassifierTests.Blobs(25, [0, 1, 2, 3], 5, seed: 12, spread: 2.5);
        var members = new VotingMember[]
        {
            new("svm", new Pipeline(new StandardScaler(), new SvmClassifier { Probability = true, Seed = 3 })),
            new("rf", new RandomForestClassifier { Trees = 20, Seed = 5 }),
            new("et", new ExtraTreesClassifier { Trees = 20, MaxDepth = 6, Seed = 7 }),
        };
        foreach (var voting in new[] { VotingMode.Hard, VotingMode.Soft })
        {
            var ensemble = new VotingClassifier(members) { Voting = voting, Weights = [1, 2, 1.5] };
            var one = ensemble.Fit(x, y, new ComputeBudget(1, 256L << 20));
            var two = ensemble.Fit(x, y, new ComputeBudget(2, 256L << 20));
            two.Predict(x, new ComputeBudget(2, 256L << 20)).Should().Equal(one.Predict(x, new ComputeBudget(1, 256L << 20)));
            if (voting == VotingMode.Soft)
            {
                two.PredictProbabilities(x).Should().BeEquivalentTo(one.PredictProbabilities(x, new ComputeBudget(1, 256L << 20)));
            }
        }
    }

    [Fact]
    public void Predicting_checks_the_feature_count()
    {
        var model = Hard(A, B).Fit(TableClassifier.Rows(4), Labels);
        var act = () => model.Predict(new FeatureMatrix(new float[4], 2));
        act.Should().Throw<ArgumentException>().WithMessage("The voting ensemble was fitted on 1 features, but the input has 2.*");
    }

    public static TheoryData<string, string, string> BadOptions() => new()
    {
        { "no members", "Members", "*at least one member*" },
        { "null member list", "Members", "*at least one member*" },
        { "null member", "Members", "*member 1 is null*" },
        { "null classifier", "Members", "*member 1 is null or has no classifier*" },
        { "empty name", "Members", "*name 0 is empty*" },
        { "blank name", "Members", "*name 1 is empty*" },
        { "duplicate names", "Members", "*name 'a' is used twice*" },
        { "unknown voting", "Voting", "*Unknown voting mode 7*" },
        { "too few weights", "Weights", "Weights hold 1 values for 2 members; give one per member*" },
        { "too many weights", "Weights", "Weights hold 3 values for 2 members*" },
        { "negative weight", "Weights", "Weights hold -1 at index 1; each weight must be finite and at least 0*" },
        { "NaN weight", "Weights", "Weights hold NaN at index 0*" },
        { "infinite weight", "Weights", "Weights hold * at index 1; each weight must be finite*" },
        { "zero weights", "Weights", "Weights are all 0; at least one must be positive*" },
        { "bad member option", "C", "*C must be a positive number*" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Every_bad_option_is_rejected_naming_it(string problem, string option, string message)
    {
        var good = new VotingClassifier([new("a", new DummyClassifier()), new("b", new DummyClassifier())]);
        var bad = problem switch
        {
            "no members" => good with { Members = [] },
            "null member list" => good with { Members = null! },
            "null member" => good with { Members = [good.Members[0], null!] },
            "null classifier" => good with { Members = [good.Members[0], new("c", null!)] },
            "empty name" => good with { Members = [new("", new DummyClassifier()), good.Members[1]] },
            "blank name" => good with { Members = [good.Members[0], new(" ", new DummyClassifier())] },
            "duplicate names" => good with { Members = [good.Members[0], good.Members[0]] },
            "unknown voting" => good with { Voting = (VotingMode)7 },
            "too few weights" => good with { Weights = [1] },
            "too many weights" => good with { Weights = [1, 1, 1] },
            "negative weight" => good with { Weights = [1, -1] },
            "NaN weight" => good with { Weights = [double.NaN, 1] },
            "infinite weight" => good with { Weights = [1, double.PositiveInfinity] },
            "zero weights" => good with { Weights = [0, 0] },
            "bad member option" => good with { Members = [good.Members[0], new("svm", new SvmClassifier { C = -1 })] },
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        good.Validate();
        bad.Invoking(b => b.Validate()).Should().Throw<ArgumentException>().WithMessage(message).Which.ParamName.Should().Be(option);
        bad.Invoking(b => b.Fit(TableClassifier.Rows(2), [0, 1])).Should().Throw<ArgumentException>().Which.ParamName.Should().Be(option);
    }

    [Fact]
    public void The_training_shapes_are_checked()
    {
        var act = () => Hard(A).Fit(TableClassifier.Rows(4), [1, 4]);
        act.Should().Throw<ArgumentException>().WithMessage("*4 rows but 2 labels*");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
