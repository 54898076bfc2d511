using Mnist.Classifiers.Data;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>The CLI's warm-up: which models get one, and that it runs the learner (and its search) to the end.</summary>
public sealed class WarmupTests
{
    private static Pipeline Svm() => new([new StandardScaler()], new SvmClassifier { C = 8 });

    [Fact]
    public async Task Warms_up_a_plain_svm_fit_and_its_grid_search_to_completion()
    {
        var fit = Warmup.Start("svm", Svm(), search: null, ComputeBudget.Default);
        fit.Should().NotBeNull();
        await fit!.WaitAsync(TimeSpan.FromMinutes(2));
        fit.IsCompletedSuccessfully.Should().BeTrue();

        var searched = 0;
        var search = Warmup.Start("svm", Svm(), learner =>
        {
            searched++;
            return DefaultGrids.Create("svm", learner, seed: 0);
        }, ComputeBudget.Default);
        search.Should().NotBeNull();
        await search!.WaitAsync(TimeSpan.FromMinutes(2));
        search.IsCompletedSuccessfully.Should().BeTrue();
        searched.Should().Be(1, "the warm-up runs the command's own search");
    }

    [Theory]
    [InlineData("forest")]
    [InlineData("extra")]
    public async Task Warms_up_a_forest_to_completion(string model)
    {
        ForestClassifier forest = model == "forest" ? new RandomForestClassifier { Trees = 500 } : new ExtraTreesClassifier { Trees = 500 };
        var task = Warmup.Start(model, new Pipeline([new StandardScaler()], forest), search: null, ComputeBudget.Default);
        task.Should().NotBeNull();
        await task!.WaitAsync(TimeSpan.FromMinutes(2));
        task.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public void Skips_sgd_and_searches_other_than_the_svm_s()
    {
        var sgd = new Pipeline([new StandardScaler()], new SgdClassifier());
        Warmup.Start("sgd", sgd, search: null, ComputeBudget.Default).Should().BeNull();
        Warmup.Start("dummy", sgd, search: null, ComputeBudget.Default).Should().BeNull();
        var forest = new Pipeline([new StandardScaler()], new RandomForestClassifier());
        Warmup.Start("forest", forest, learner => DefaultGrids.Create("forest", learner, seed: 0), ComputeBudget.Default).Should().BeNull();
        Warmup.Start("voting", sgd, learner => DefaultGrids.Create("voting", learner, seed: 0), ComputeBudget.Default).Should().BeNull();
    }

    [Fact]
    public async Task The_steps_run_before_the_warm_up_ends_and_the_classifier_after_it()
    {
        var warmup = new TaskCompletionSource();
        var events = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var pipeline = new Pipeline([new RecordingStep(events)], new RecordingClassifier(events, new SvmClassifier { C = 8 }));
        var x = new FeatureMatrix([0f, 0f, 0f, 1f, 1f, 0f, 1f, 1f], 2);
        var fit = Task.Run(() => Warmup.FitAfter(warmup.Task, pipeline).Fit(x, [0, 0, 1, 1]));

        // The step is fitted while the warm-up still runs; the classifier's fit waits for it.
        await WaitUntil(() => events.Contains("step fitted"));
        await Task.Delay(100);
        events.Should().Equal(["step fitted"], "the classifier's fit waits for the warm-up");
        warmup.SetResult();
        var model = await fit.WaitAsync(TimeSpan.FromMinutes(1));
        events.Should().Equal("step fitted", "classifier fitted");

        model.Classifier.Should().BeOfType<SvmModel>("the fitted model is the classifier's own, not a wrapper's");
        model.Predict(x).Should().Equal(0, 0, 1, 1);
        Warmup.FitAfter(null, pipeline).Should().BeSameAs(pipeline, "without a warm-up the pipeline is used as it is");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the step should have been fitted");
            await Task.Delay(10);
        }
    }

    /// <summary>A classifier that records the start of its fit and fits another.</summary>
    private sealed record RecordingClassifier(System.Collections.Concurrent.ConcurrentQueue<string> Events, IClassifier Inner) : IClassifier
    {
        public void Validate() => Inner.Validate();

        public IClassifierModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null)
        {
            Events.Enqueue("classifier fitted");
            return Inner.Fit(features, labels, budget);
        }
    }

    /// <summary>A step that records its fit and passes the rows through unchanged.</summary>
    private sealed record RecordingStep(System.Collections.Concurrent.ConcurrentQueue<string> Events) : IUnfittedTransform, IFittedTransform
    {
        public void Validate()
        {
        }

        public IFittedTransform Fit(FeatureMatrix features, ComputeBudget? budget = null)
        {
            Events.Enqueue("step fitted");
            return this;
        }

        public int FeatureCount => 2;

        public FeatureMatrix Transform(FeatureMatrix features, ComputeBudget? budget = null) => features;
    }

    [Fact]
    public async Task A_cancelled_warm_up_ends_quietly()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var task = Warmup.Start("svm", Svm(), search: null, ComputeBudget.Default.WithCancellation(cancellation.Token));
        await task!.WaitAsync(TimeSpan.FromMinutes(1));
        task.IsCompletedSuccessfully.Should().BeTrue("the real fit reports the cancellation, not the warm-up");
    }
}
