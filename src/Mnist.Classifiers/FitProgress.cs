namespace Mnist.Classifiers;

/// <summary>
/// How far a long piece of work has come: <see cref="Completed"/> of <see cref="Total"/> steps of one stage
/// (an SVM's pair problems, a forest's trees, a voting ensemble's members, SGD's epochs, augmented images).
/// Reported through <see cref="ComputeBudget.Progress"/>, from whichever thread finished the step.
/// </summary>
/// <param name="Stage">What is being counted, in a few words ("pair problems", "trees", ...).</param>
/// <param name="Completed">Steps finished so far (1 to <see cref="Total"/>; reports may arrive out of order across threads).</param>
/// <param name="Total">The steps the stage has; a stage that may stop early (SGD's epochs) counts its maximum.</param>
public readonly record struct FitProgress(string Stage, int Completed, int Total);
