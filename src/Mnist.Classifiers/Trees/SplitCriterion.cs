namespace Mnist.Classifiers.Trees;

/// <summary>The impurity a tree's splits reduce (scikit-learn's <c>criterion</c>).</summary>
public enum SplitCriterion
{
    /// <summary>Gini impurity 1 − Σ p_k².</summary>
    Gini,

    /// <summary>Shannon entropy −Σ p_k log₂ p_k.</summary>
    Entropy,

    /// <summary>The same as <see cref="Entropy"/>, under scikit-learn's other name for it.</summary>
    LogLoss,
}

/// <summary>How a forest weights the classes (scikit-learn's <c>class_weight</c> strings).</summary>
public enum ClassWeightMode
{
    /// <summary>Every class weighs 1, or what <c>ClassWeights</c> says.</summary>
    None,

    /// <summary>n / (k · count(class)) over the whole training set.</summary>
    Balanced,

    /// <summary>
    /// n_b / (k_b · count_b(class)) over each tree's bootstrap sample (its n_b draws, counted with repeats, and the
    /// k_b classes it holds); without <c>Bootstrap</c> the same as <see cref="Balanced"/>.
    /// </summary>
    BalancedSubsample,
}
