using System.Diagnostics;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Svm;

/// <summary>
/// The virtual support vector method (Schölkopf, Burges &amp; Vapnik, "Incorporating invariances in support vector
/// learning machines", ICANN 1996; DeCoste &amp; Schölkopf, "Training invariant support vector machines", Machine
/// Learning 46, 2002): fit <see cref="Inner"/>, keep only the training rows that became support vectors, add copies
/// of them moved by the transformations the labels should not depend on (<see cref="Shifts"/>,
/// <see cref="RotationDegrees"/>), and fit <see cref="Inner"/> again on the support vectors and their copies. The
/// support vectors carry the decision boundary, so their copies teach the invariance at a fraction of the cost of
/// augmenting the whole training set; DeCoste &amp; Schölkopf reach 0.56% test error on MNIST this way.
/// </summary>
/// <remarks>
/// The rows must be square images (784 features for MNIST) in pixel space: the copies are made on the rows this
/// learner receives, so put it after the steps that keep images images (deskewing) and let <see cref="Inner"/> hold
/// those that do not (scaling, PCA), which are then refitted on the support vectors and their copies.
/// The result is the second fit's model, of <see cref="Inner"/>'s model type (an <see cref="SvmModel"/> or a
/// <see cref="PipelineModel"/> ending in one), so it needs no model-file kind of its own.
/// </remarks>
/// <param name="Inner">The learner fitted twice: an <see cref="SvmClassifier"/> or a <see cref="Pipeline"/> whose classifier is one.</param>
public sealed record VirtualSupportVectors(IClassifier Inner) : IClassifier
{
    /// <summary>
    /// The shifts (dx, dy) in pixels, positive right and down, each giving one copy of every support vector with
    /// zeros moved in at the border; by default the four 1-pixel shifts of DeCoste &amp; Schölkopf (<see cref="ShiftsOf"/>(1, 4)).
    /// </summary>
    public IReadOnlyList<(int Dx, int Dy)> Shifts { get; init; } = ShiftsOf(1, 4);

    /// <summary>
    /// Rotation angles in degrees (positive counter-clockwise, about the image centre, bilinear as
    /// <see cref="ImageAugmentation.Rotate(ReadOnlySpan{float}, Span{float}, int, int, double)"/>), each giving one
    /// copy of every support vector; none by default.
    /// </summary>
    public IReadOnlyList<double> RotationDegrees { get; init; } = [];

    /// <summary>
    /// Told, once the second fit is done, what the method did (not an option of the learning: it changes no result).
    /// Null for nobody.
    /// </summary>
    public IProgress<VirtualSupportVectorsReport>? Report { get; init; }

    /// <summary>The copies each support vector gets: one per shift and one per rotation.</summary>
    public int CopiesPerSupportVector => (Shifts?.Count ?? 0) + (RotationDegrees?.Count ?? 0);

    /// <summary>
    /// The shifts by <paramref name="distance"/> pixels in 4 directions (left, right, up, down) or 8 (those and the
    /// four diagonals, left-up, right-up, left-down, right-down, by <paramref name="distance"/> along each axis).
    /// </summary>
    /// <param name="distance">The shift in pixels, at least 1.</param>
    /// <param name="directions">4 or 8.</param>
    /// <exception cref="ArgumentOutOfRangeException">The distance is below 1 or the directions are not 4 or 8.</exception>
    public static IReadOnlyList<(int Dx, int Dy)> ShiftsOf(int distance, int directions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(distance, 1);
        if (directions is not (4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(directions), directions, "The shifts go in 4 or 8 directions.");
        }

        int d = distance;
        (int, int)[] axes = [(-d, 0), (d, 0), (0, -d), (0, d)];
        return directions == 4 ? axes : [.. axes, (-d, -d), (d, -d), (-d, d), (d, d)];
    }

    /// <inheritdoc />
    public void Validate()
    {
        if (Inner is not (SvmClassifier or Pipeline { Classifier: SvmClassifier }))
        {
            throw new ArgumentException(
                $"Virtual support vectors need an SVM, or a pipeline ending in one, to fit; got {Inner?.GetType().Name ?? "null"}.", nameof(Inner));
        }

        if (Shifts is null || RotationDegrees is null)
        {
            throw new ArgumentException("The shift and rotation lists must not be null; use empty lists for none.", Shifts is null ? nameof(Shifts) : nameof(RotationDegrees));
        }

        if (CopiesPerSupportVector == 0)
        {
            throw new ArgumentException("Give at least one shift or rotation: without copies the second fit would only repeat the first.", nameof(Shifts));
        }

        foreach (var (dx, dy) in Shifts)
        {
            if (dx == 0 && dy == 0)
            {
                throw new ArgumentException("A shift of (0, 0) copies the support vectors unchanged; every shift must move the image.", nameof(Shifts));
            }
        }

        foreach (double degrees in RotationDegrees)
        {
            if (!double.IsFinite(degrees) || degrees == 0)
            {
                throw new ArgumentException($"Rotation angles must be finite and non-zero; got {degrees}.", nameof(RotationDegrees));
            }
        }

        Inner.Validate();
    }

    /// <inheritdoc cref="IClassifier.Fit"/>
    /// <returns>The second fit of <see cref="Inner"/>: an <see cref="SvmModel"/> or a <see cref="PipelineModel"/>.</returns>
    /// <exception cref="ArgumentException">An option is invalid, the shapes disagree, or the rows are not square images.</exception>
    /// <remarks>
    /// The second training set is the support vectors in training-row order, then one block of copies per shift
    /// (in the order of <see cref="Shifts"/>), then one per rotation; the labels follow their rows. Both fits use
    /// the whole <paramref name="budget"/>; the copies are made in parallel, each row alone, so the result is the
    /// same for every thread count.
    /// </remarks>
    public IClassifierModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null)
    {
        Validate();
        InputChecks.TrainingShapes(features, labels);
        int side = (int)Math.Round(Math.Sqrt(features.Columns));
        if (side * side != features.Columns)
        {
            throw new ArgumentException(
                $"Virtual support vectors shift and rotate square images, but the rows have {features.Columns} features, not a square number.", nameof(features));
        }

        budget = ComputeBudget.OrDefault(budget);
        var clock = Stopwatch.StartNew();
        IClassifierModel first = Inner.Fit(features, labels, budget);
        TimeSpan firstFit = clock.Elapsed;
        SvmModel svm = first as SvmModel ?? (SvmModel)((PipelineModel)first).Classifier;
        int[] support = svm.SupportIndices.Order().ToArray();

        budget.Cancellation.ThrowIfCancellationRequested();
        clock.Restart();
        var (expanded, expandedLabels) = Expand(features, labels, support, side, budget);
        TimeSpan copies = clock.Elapsed;

        clock.Restart();
        IClassifierModel second = Inner.Fit(expanded, expandedLabels, budget);
        Report?.Report(new VirtualSupportVectorsReport(features.Rows, support.Length, expanded.Rows, firstFit, copies, clock.Elapsed));
        return second;
    }

    /// <summary>The support vectors <paramref name="support"/> of <paramref name="features"/> followed by their copies, block after block.</summary>
    internal (FeatureMatrix Features, int[] Labels) Expand(FeatureMatrix features, ReadOnlySpan<int> labels, int[] support, int side, ComputeBudget budget)
    {
        int columns = features.Columns, count = support.Length;
        int blocks = 1 + CopiesPerSupportVector;
        var pixels = new float[checked((long)count * blocks * columns)];
        var expandedLabels = new int[count * blocks];
        var shifts = Shifts.ToArray();
        var rotations = RotationDegrees.Select(degrees => new BilinearRotation(side, side, degrees)).ToArray();
        ParallelRows.For(count, (long)count * blocks * columns, budget, (s0, s1) =>
        {
            for (int s = s0; s < s1; s++)
            {
                ReadOnlySpan<float> row = features.Row(support[s]);
                row.CopyTo(Destination(0, s));
                for (int t = 0; t < shifts.Length; t++)
                {
                    ImageAugmentation.Shift(row, Destination(1 + t, s), side, side, shifts[t].Dx, shifts[t].Dy);
                }

                for (int t = 0; t < rotations.Length; t++)
                {
                    rotations[t].Apply(row, Destination(1 + shifts.Length + t, s));
                }
            }
        });

        for (int b = 0; b < blocks; b++)
        {
            for (int s = 0; s < count; s++)
            {
                expandedLabels[b * count + s] = labels[support[s]];
            }
        }

        return (new FeatureMatrix(pixels, columns), expandedLabels);

        Span<float> Destination(int block, int s) => pixels.AsSpan(checked((int)(((long)block * count + s) * columns)), columns);
    }
}

/// <summary>What one <see cref="VirtualSupportVectors.Fit"/> did.</summary>
/// <param name="TrainingRows">The rows of the first fit.</param>
/// <param name="SupportVectors">The support vectors the first fit found (distinct training rows).</param>
/// <param name="SecondFitRows">The rows of the second fit: the support vectors and their copies.</param>
/// <param name="FirstFit">The time of the first fit.</param>
/// <param name="Copies">The time taken to make the copies.</param>
/// <param name="SecondFit">The time of the second fit.</param>
public sealed record VirtualSupportVectorsReport(
    int TrainingRows, int SupportVectors, int SecondFitRows, TimeSpan FirstFit, TimeSpan Copies, TimeSpan SecondFit);
