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
