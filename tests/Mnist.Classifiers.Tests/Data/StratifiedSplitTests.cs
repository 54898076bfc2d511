using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Data;

public class StratifiedSplitTests
{
    private static LabeledImages Rows(params byte[] labels)
    {
        // Each row's single pixel is its index, so the tests can see which rows went where.
        var pixels = Enumerable.Range(0, labels.Length).Select(i => (byte)i).ToArray();
        return new LabeledImages(pixels, labels, 1);
    }

    private static byte[] Repeat(params (byte Label, int Count)[] groups) =>
        groups.SelectMany(g => Enumerable.Repeat(g.Label, g.Count)).ToArray();

    [Fact]
    public void Each_label_keeps_its_share()
    {
        // 60 zeros, 30 ones, 10 twos; 10 held out: 6, 3 and 1 (hand-computed).
        var rows = Rows(Repeat((0, 60), (1, 30), (2, 10)));
        var (kept, heldOut) = StratifiedSplit.Split(rows, 10, seed: 42);
        heldOut.Labels.Count(l => l == 0).Should().Be(6);
        heldOut.Labels.Count(l => l == 1).Should().Be(3);
        heldOut.Labels.Count(l => l == 2).Should().Be(1);
        kept.Rows.Should().Be(90);
    }

    [Fact]
    public void Leftover_rows_go_to_the_largest_remainders_ties_to_the_smaller_label()
    {
        // 7 a's and 3 b's, 5 held out: exact shares 3.5 and 1.5, floors 3 and 1; the tie goes to label 0.
        var rows = Rows(Repeat((0, 7), (1, 3)));
        var (_, heldOut) = StratifiedSplit.Split(rows, 5, seed: 1);
        heldOut.Labels.Count(l => l == 0).Should().Be(4);
        heldOut.Labels.Count(l => l == 1).Should().Be(1);

        // 5 of each of 3 labels, 4 held out: 1.33 each, floors 1; one leftover to label 0.
        var (_, other) = StratifiedSplit.Split(Rows(Repeat((2, 5), (0, 5), (1, 5))), 4, seed: 1);
        other.Labels.Order().Should().Equal(0, 0, 1, 2);
    }

    [Fact]
    public void Parts_are_disjoint_complete_and_in_the_original_order()
    {
        var labels = Enumerable.Range(0, 200).Select(i => (byte)(i * 13 % 10)).ToArray();
        var (kept, heldOut) = StratifiedSplit.Split(Rows(labels), 40, seed: 3);
        kept.Pixels.Should().BeInAscendingOrder();
        heldOut.Pixels.Should().BeInAscendingOrder();
        kept.Pixels.Concat(heldOut.Pixels).Order().Should().Equal(Enumerable.Range(0, 200).Select(i => (byte)i));
        kept.Labels.Should().Equal(kept.Pixels.Select(p => labels[p]));
        heldOut.Labels.Should().Equal(heldOut.Pixels.Select(p => labels[p]));
    }

    [Fact]
    public void Same_seed_same_split_and_another_seed_another_split()
    {
        var labels = Enumerable.Range(0, 200).Select(i => (byte)(i % 10)).ToArray();
        var a = StratifiedSplit.Split(Rows(labels), 50, seed: 42).HeldOut.Pixels;
        var b = StratifiedSplit.Split(Rows(labels), 50, seed: 42).HeldOut.Pixels;
        var c = StratifiedSplit.Split(Rows(labels), 50, seed: 43).HeldOut.Pixels;
        a.Should().Equal(b);
        c.Should().NotEqual(a);
    }

    [Fact]
    public void Bounds_are_checked()
    {
        var rows = Rows(0, 1, 2);
        ((Action)(() => StratifiedSplit.Split(rows, 4, 0))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => StratifiedSplit.Split(rows, -1, 0))).Should().Throw<ArgumentOutOfRangeException>();
        StratifiedSplit.Split(rows, 3, 0).Kept.Rows.Should().Be(0);
    }

    [Fact]
    public void The_builder_splits_a_sixth_off_augments_only_the_train_split_and_records_how()
    {
        var raw = new RawMnist(Synthetic.Images(120, 1), Synthetic.Images(10, 2), "synthetic");
        var dataset = MnistDatasetBuilder.Build(raw, seed: 9, Augmentations.Shift | Augmentations.Rotate);
        dataset.Validation.Rows.Should().Be(20);
        dataset.Train.Rows.Should().Be(7 * 100);
        dataset.Test.Should().BeSameAs(raw.Test);
        dataset.Info.Should().Be(new DatasetInfo("synthetic", 9, "shift+rotate", 1));

        var plain = MnistDatasetBuilder.Build(raw, seed: 9);
        plain.Train.Rows.Should().Be(100);
        dataset.Train.Pixels.AsSpan(0, 100 * 784).SequenceEqual(plain.Train.Pixels).Should().BeTrue();
        plain.Validation.Pixels.Should().Equal(dataset.Validation.Pixels);
    }
}
