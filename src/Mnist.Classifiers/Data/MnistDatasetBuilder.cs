namespace Mnist.Classifiers.Data;

/// <summary>Turns the distributed MNIST rows into the stored <see cref="MnistDataset"/>: split, then augment.</summary>
public static class MnistDatasetBuilder
{
    /// <summary>
    /// Splits the training rows into train and validation (stratified by label, seeded), keeps the test rows as
    /// the test split, and adds the augmented copies to the train split only.
    /// </summary>
    /// <param name="raw">The rows as distributed.</param>
    /// <param name="seed">The seed of the split.</param>
    /// <param name="augmentations">The copies to add to the train split.</param>
    /// <param name="validationRows">How many training rows to hold out; by default a sixth of them (10,000 of MNIST's
    /// 60,000, as in the original project).</param>
    /// <param name="budget">The threads of the augmentation, and where it reports its copies (<see cref="ComputeBudget.Progress"/>); null for <see cref="ComputeBudget.Default"/>.</param>
    public static MnistDataset Build(RawMnist raw, int seed = StratifiedSplit.DefaultSeed,
        Augmentations augmentations = Augmentations.None, int? validationRows = null, ComputeBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var heldOut = validationRows ?? raw.Training.Rows / 6;
        var (train, validation) = StratifiedSplit.Split(raw.Training, heldOut, seed);
        return new MnistDataset
        {
            Train = ImageAugmentation.Augment(train, augmentations, budget),
            Validation = validation,
            Test = raw.Test,
            Info = new DatasetInfo(raw.Source, seed, ImageAugmentation.Describe(augmentations), MnistDatasetFile.CurrentFormatVersion),
        };
    }
}
