namespace Mnist.Classifiers.Ensembles;

/// <summary>How a <see cref="VotingClassifier"/> combines its members (scikit-learn's <c>voting</c>).</summary>
public enum VotingMode
{
    /// <summary>
    /// Each member's predicted label gets the member's weight; the label with the largest total wins, the smallest label
    /// among ties (scikit-learn's <c>argmax</c> of the weighted <c>bincount</c>). The ensemble gives no probabilities.
    /// </summary>
    Hard,

    /// <summary>
    /// The ensemble's probabilities are the weighted mean of the members' class probabilities and its prediction their
    /// largest (the first among ties); every member must give probabilities.
    /// </summary>
    Soft,
}
