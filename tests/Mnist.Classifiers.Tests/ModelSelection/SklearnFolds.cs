using System.Text.Json;
using Mnist.Classifiers.ModelSelection;

namespace Mnist.Classifiers.Tests.ModelSelection;

/// <summary>scikit-learn's unshuffled KFold and StratifiedKFold folds, through <see cref="PythonReference"/>.</summary>
internal static class SklearnFolds
{
    // Prints the folds as JSON [[train, test], ...], or {"error": message} when scikit-learn raises ValueError.
    private const string Script =
        """
        import json, sys, warnings, numpy as np
        from sklearn.model_selection import KFold, StratifiedKFold
        warnings.simplefilter('ignore')  # the "least populated class" warning of StratifiedKFold
        kind, splits, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        y = np.fromfile(path, dtype='<i4')
        splitter = KFold(n_splits=splits) if kind == 'kfold' else StratifiedKFold(n_splits=splits)
        try:
            folds = [[train.tolist(), test.tolist()] for train, test in splitter.split(np.zeros((len(y), 1)), y)]
        except ValueError as e:
            folds = {'error': str(e)}
        print(json.dumps(folds))
        """;

    /// <summary>The folds of <c>KFold(n_splits=splits).split</c> over <paramref name="rows"/> rows.</summary>
    public static SklearnResult KFold(int rows, int splits) => Run("kfold", new int[rows], splits);

    /// <summary>The folds of <c>StratifiedKFold(n_splits=splits).split</c> over <paramref name="labels"/>.</summary>
    public static SklearnResult StratifiedKFold(int[] labels, int splits) => Run("stratified", labels, splits);

    private static SklearnResult Run(string kind, int[] labels, int splits)
    {
        var path = PythonReference.WriteRaw<int>(labels);
        try
        {
            using var output = JsonDocument.Parse(PythonReference.Run(Script, kind, splits.ToString(), path));
            if (output.RootElement.ValueKind == JsonValueKind.Object)
            {
                return new SklearnResult([], output.RootElement.GetProperty("error").GetString());
            }

            var folds = output.RootElement.EnumerateArray()
                .Select(fold => (Train: fold[0].Deserialize<int[]>()!, Test: fold[1].Deserialize<int[]>()!))
                .ToArray();
            return new SklearnResult(folds, null);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>scikit-learn's folds (train, test), or the message of the ValueError it raised instead.</summary>
internal sealed record SklearnResult((int[] Train, int[] Test)[] Folds, string? Error)
{
    /// <summary>Asserts that <paramref name="folds"/> are these folds, index for index.</summary>
    public void ShouldEqual(IReadOnlyList<Fold> folds, string because)
    {
        Error.Should().BeNull(because);
        folds.Should().HaveCount(Folds.Length, because);
        for (var f = 0; f < folds.Count; f++)
        {
            folds[f].Index.Should().Be(f);
            folds[f].Train.ToArray().Should().Equal(Folds[f].Train, $"the train rows of fold {f}: {because}");
            folds[f].Test.ToArray().Should().Equal(Folds[f].Test, $"the test rows of fold {f}: {because}");
        }
    }
}
