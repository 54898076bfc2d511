namespace Mnist.Classifiers;

/// <summary>How a learner weights the classes besides explicit <c>ClassWeights</c> (scikit-learn's <c>class_weight</c> strings).</summary>
public enum ClassWeightMode
{
    /// <summary>Every class weighs 1, or what <c>ClassWeights</c> says.</summary>
    None,

    /// <summary>n / (k · count(class)) over the whole training set (<c>class_weight="balanced"</c>).</summary>
    Balanced,

    /// <summary>
    /// Forests only (<c>class_weight="balanced_subsample"</c>): n_b / (k_b · count_b(class)) over each tree's bootstrap
    /// sample (its n_b draws, counted with repeats, and the k_b classes it holds); without <c>Bootstrap</c> the same
    /// as <see cref="Balanced"/>.
    /// </summary>
    BalancedSubsample,
}
