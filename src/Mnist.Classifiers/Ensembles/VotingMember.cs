namespace Mnist.Classifiers.Ensembles;

/// <summary>One learner of a <see cref="VotingClassifier"/> and the name it goes by (scikit-learn's <c>(name, estimator)</c> pair).</summary>
/// <param name="Name">The member's name, unique in its ensemble; error messages and <see cref="VotingModel.MemberNames"/> use it.</param>
/// <param name="Classifier">The learner; any <see cref="IClassifier"/>, a <see cref="Pipeline"/> included.</param>
public sealed record VotingMember(string Name, IClassifier Classifier);
