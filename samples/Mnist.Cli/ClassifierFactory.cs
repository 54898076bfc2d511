using System.Globalization;
using Mnist.Classifiers;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Cli;

/// <summary>Turns the <c>-M/--model</c> name and the hyperparameter flags into an untrained classifier.</summary>
public static class ClassifierFactory
{
    /// <summary>The model names <c>-M</c> accepts, in the order the help lists them.</summary>
    public static IReadOnlyList<string> ModelNames { get; } = ["svm", "forest", "extra", "sgd", "voting", "dummy"];

    /// <summary>The losses <c>-L</c> takes, by scikit-learn's names (<c>log</c> is its older name of <c>log_loss</c>).</summary>
    private static readonly Dictionary<string, SgdLoss> Losses = new(StringComparer.Ordinal)
    {
        ["hinge"] = SgdLoss.Hinge,
        ["log"] = SgdLoss.LogLoss,
        ["log_loss"] = SgdLoss.LogLoss,
        ["modified_huber"] = SgdLoss.ModifiedHuber,
        ["squared_hinge"] = SgdLoss.SquaredHinge,
        ["perceptron"] = SgdLoss.Perceptron,
        ["squared_error"] = SgdLoss.SquaredError,
        ["huber"] = SgdLoss.Huber,
        ["epsilon_insensitive"] = SgdLoss.EpsilonInsensitive,
        ["squared_epsilon_insensitive"] = SgdLoss.SquaredEpsilonInsensitive,
    };

    /// <summary>The penalties <c>-P</c> takes.</summary>
    private static readonly Dictionary<string, SgdPenalty> Penalties = new(StringComparer.Ordinal)
    {
        ["l2"] = SgdPenalty.L2,
        ["l1"] = SgdPenalty.L1,
        ["elasticnet"] = SgdPenalty.ElasticNet,
        ["none"] = SgdPenalty.None,
    };

    /// <summary>The classifier named by <see cref="TrainSettings.Model"/>, configured from the other flags and validated.</summary>
    /// <exception cref="ArgumentException">An option is out of range, or the model is unknown or not available yet.</exception>
    public static IClassifier Create(TrainSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        CheckHyperparameters(settings);
        string model = settings.Model.Trim().ToLowerInvariant();
        IClassifier classifier = model switch
        {
            "dummy" => new DummyClassifier(),
            "svm" => CreateSvm(settings.Svm) with { Seed = settings.Seed },
            "forest" => CreateForest(settings),
            "extra" => CreateExtraTrees(settings),
            "voting" => CreateVoting(settings),
            "sgd" => CreateSgd(settings),
            _ => throw new ArgumentException(
                $"Unknown model '{settings.Model}'; allowed values: {string.Join(", ", ModelNames)}.", "--model"),
        };
        classifier.Validate();
        return classifier;
    }

    /// <summary>The scaler <c>--scaler</c> names, or null for none.</summary>
    /// <exception cref="ArgumentException">An unknown scaler.</exception>
    public static IUnfittedTransform? CreateScaler(TrainSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Scaler.Trim().ToLowerInvariant() switch
        {
            "standard" => new StandardScaler(),
            "minmax" => new MinMaxScaler(),
            "none" => null,
            _ => throw new ArgumentException($"--scaler must be standard, minmax or none; got '{settings.Scaler}'.", "--scaler"),
        };
    }

    /// <summary>
    /// <paramref name="voting"/> with <paramref name="mode"/>; soft voting needs every member's probabilities, so the
    /// SVM members are then fitted with Platt scaling.
    /// </summary>
    public static VotingClassifier WithMode(VotingClassifier voting, VotingMode mode)
    {
        ArgumentNullException.ThrowIfNull(voting);
        var members = voting.Members
            .Select(m => mode == VotingMode.Soft && m.Classifier is SvmClassifier svm ? m with { Classifier = svm with { Probability = true } } : m)
            .ToArray();
        return voting with { Members = members, Voting = mode };
    }

    /// <summary>The threads and memory of the run: <see cref="TrainSettings.Threads"/> threads and the default memory share.</summary>
    /// <exception cref="ArgumentException">--threads is 0 or below −1.</exception>
    public static ComputeBudget Budget(TrainSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Threads == 0 || settings.Threads < -1)
        {
            throw new ArgumentException($"--threads must be -1 (one per processor) or at least 1; got {settings.Threads}.", "--threads");
        }

        var budget = ComputeBudget.Default;
        return settings.Threads > 0 ? budget.WithThreads(settings.Threads) : budget;
    }

    private static SgdClassifier CreateSgd(TrainSettings settings)
    {
        var s = settings.Sgd;
        var sgd = new SgdClassifier { Seed = settings.Seed };
        sgd = s.Loss is { } loss ? sgd with { Loss = Losses[loss] } : sgd;
        sgd = s.Penalty is { } penalty ? sgd with { Penalty = Penalties[penalty] } : sgd;
        sgd = s.Alpha is { } alpha ? sgd with { Alpha = alpha } : sgd;
        sgd = s.L1Ratio is { } ratio ? sgd with { L1Ratio = ratio } : sgd;
        sgd = s.Average is { } average ? sgd with { Average = average } : sgd;
        return s.MaxIterations is { } epochs ? sgd with { MaxIterations = epochs } : sgd;
    }

    private static RandomForestClassifier CreateForest(TrainSettings settings) => new()
    {
        Trees = settings.Trees.Estimators ?? 100, MaxDepth = settings.Trees.MaxDepth, OutOfBagScore = settings.Trees.OutOfBagScore, Seed = settings.Seed,
        Criterion = Criterion(settings.Trees), ClassWeightMode = ClassWeights(settings.Trees),
    };

    private static ExtraTreesClassifier CreateExtraTrees(TrainSettings settings) => new()
    {
        Trees = settings.Trees.Estimators ?? 100, MaxDepth = settings.Trees.MaxDepth, OutOfBagScore = settings.Trees.OutOfBagScore, Seed = settings.Seed,
        Criterion = Criterion(settings.Trees), ClassWeightMode = ClassWeights(settings.Trees),
    };

    /// <summary>The split criterion <c>--criterion</c> names (scikit-learn's <c>criterion</c>).</summary>
    private static SplitCriterion Criterion(TreeSettings trees) => trees.Criterion?.Trim().ToLowerInvariant() switch
    {
        null or "gini" => SplitCriterion.Gini,
        "entropy" => SplitCriterion.Entropy,
        "log_loss" => SplitCriterion.LogLoss,
        _ => throw new ArgumentException($"--criterion must be gini, entropy or log_loss; got '{trees.Criterion}'.", "--criterion"),
    };

    /// <summary>The class weights <c>--class-weight</c> names (scikit-learn's <c>class_weight</c> strings).</summary>
    private static ClassWeightMode ClassWeights(TreeSettings trees) => trees.ClassWeight?.Trim().ToLowerInvariant() switch
    {
        null => ClassWeightMode.None,
        "balanced" => ClassWeightMode.Balanced,
        "balanced_subsample" => ClassWeightMode.BalancedSubsample,
        _ => throw new ArgumentException($"--class-weight must be balanced or balanced_subsample; got '{trees.ClassWeight}'.", "--class-weight"),
    };

    /// <summary>The original project's voting ensemble: the SVM, the random forest and extra trees, each with the defaults it gets alone.</summary>
    private static VotingClassifier CreateVoting(TrainSettings settings)
    {
        var mode = settings.Voting.Trim().ToLowerInvariant() switch
        {
            "hard" => VotingMode.Hard,
            "soft" => VotingMode.Soft,
            _ => throw new ArgumentException($"--voting must be hard or soft; got '{settings.Voting}'.", "--voting"),
        };
        var voting = new VotingClassifier(
        [
            new VotingMember("svm", CreateSvm(settings.Svm) with { Seed = settings.Seed }),
            new VotingMember("forest", CreateForest(settings)),
            new VotingMember("extra", CreateExtraTrees(settings with { Trees = settings.Trees with { OutOfBagScore = false } })),
        ]);
        return WithMode(voting, mode);
    }

    private static SvmClassifier CreateSvm(SvmSettings s)
    {
        var kernel = s.Kernel.Trim().ToLowerInvariant() switch
        {
            "rbf" => SvmKernelType.Rbf,
            "poly" => SvmKernelType.Polynomial,
            "linear" => SvmKernelType.Linear,
            "sigmoid" => SvmKernelType.Sigmoid,
            _ => throw new ArgumentException($"--kernel must be rbf, poly, linear or sigmoid; got '{s.Kernel}'.", "--kernel"),
        };
        if (s.CacheSize is { } cache && !(cache > 0 && double.IsFinite(cache)))
        {
            throw new ArgumentException($"--cache-size must be a positive number of MB; got {cache}.", "--cache-size");
        }

        if (s.Degree < 0)
        {
            throw new ArgumentException($"--degree must be 0 or more; got {s.Degree}.", "--degree");
        }

        var svm = new SvmClassifier
        {
            C = s.C ?? 1.0,
            Gamma = s.Gamma is null ? SvmGamma.Scale : SvmGamma.Parse(s.Gamma),
            Kernel = kernel,
            Degree = s.Degree,
            Coef0 = s.Coef0,
            Probability = s.Probability,
        };
        return s.CacheSize is { } megabytes ? svm with { CacheSizeMegabytes = megabytes } : svm;
    }

    /// <summary>Range checks that hold whichever model uses the flag, so a typo fails before any work is done.</summary>
    private static void CheckHyperparameters(TrainSettings settings)
    {
        var (svm, trees, sgd) = (settings.Svm, settings.Trees, settings.Sgd);
        if (svm.C is { } c && !(c > 0 && double.IsFinite(c)))
        {
            throw new ArgumentException($"-C/--regularization must be a positive number; got {c}.", "--regularization");
        }

        if (svm.Gamma is { } gamma && gamma is not ("scale" or "auto")
            && !(double.TryParse(gamma, NumberStyles.Float, CultureInfo.InvariantCulture, out double g) && g > 0 && double.IsFinite(g)))
        {
            throw new ArgumentException($"-G/--gamma must be a positive number, 'scale' or 'auto'; got '{gamma}'.", "--gamma");
        }

        if (trees.Estimators is < 1)
        {
            throw new ArgumentException($"-E/--estimators must be at least 1; got {trees.Estimators}.", "--estimators");
        }

        if (trees.MaxDepth is < 1)
        {
            throw new ArgumentException($"-D/--max_depth must be at least 1; got {trees.MaxDepth}.", "--max_depth");
        }

        if (sgd.Loss is { } loss && !Losses.ContainsKey(loss))
        {
            throw new ArgumentException($"-L/--loss must be one of {string.Join(", ", Losses.Keys)}; got '{loss}'.", "--loss");
        }

        if (sgd.Penalty is { } penalty && !Penalties.ContainsKey(penalty))
        {
            throw new ArgumentException($"-P/--penalty must be one of {string.Join(", ", Penalties.Keys)}; got '{penalty}'.", "--penalty");
        }

        if (sgd.Alpha is { } alpha && !(alpha >= 0 && double.IsFinite(alpha)))
        {
            throw new ArgumentException($"-A/--alpha must be a non-negative number; got {alpha}.", "--alpha");
        }

        if (settings.TrainSize is < 1)
        {
            throw new ArgumentException($"--train-size must be at least 1; got {settings.TrainSize}.", "--train-size");
        }
    }
}
