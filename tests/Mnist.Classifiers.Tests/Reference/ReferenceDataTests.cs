using System.IO.Compression;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Reference;

public class ReferenceDataTests
{
    [Fact]
    public void Blobs_are_deterministic_for_a_seed_and_differ_between_seeds()
    {
        var a = ReferenceData.SyntheticMulticlass(5);
        var b = ReferenceData.SyntheticMulticlass(5);
        var c = ReferenceData.SyntheticMulticlass(6);

        a.Train.AsSpan().ToArray().Should().Equal(b.Train.AsSpan().ToArray());
        a.TrainLabels.Should().Equal(b.TrainLabels);
        a.Test.AsSpan().ToArray().Should().Equal(b.Test.AsSpan().ToArray());
        a.Train.AsSpan().ToArray().Should().NotEqual(c.Train.AsSpan().ToArray());
    }

    [Fact]
    public void Synthetic_sets_have_the_documented_shapes_and_balanced_classes()
    {
        var binary = ReferenceData.SyntheticBinary();
        (binary.Train.Rows, binary.Train.Columns, binary.Test.Rows).Should().Be((300, 2, 200));
        binary.Classes.Should().Equal(0, 1);
        binary.TrainLabels.Count(l => l == 0).Should().Be(150);

        var multi = ReferenceData.SyntheticMulticlass();
        (multi.Train.Rows, multi.Train.Columns, multi.Test.Rows).Should().Be((400, 10, 200));
        multi.Classes.Should().Equal(Enumerable.Range(0, 10));
        multi.TrainLabels.GroupBy(l => l).Should().OnlyContain(g => g.Count() == 40);
        multi.TestLabels.Should().HaveCount(200);
    }

    [Fact]
    public void Blobs_are_spread_around_their_centres_with_unit_variance()
    {
        var data = ReferenceData.GaussianBlobs("one-class-like", 4000, 0, 3, 2, 0.0, 11);
        // With centreSpread 0 both centres are the origin, so every feature is N(0, 1).
        var values = data.Train.AsSpan().ToArray();
        double mean = values.Average(v => (double)v);
        double variance = values.Average(v => (v - mean) * (v - mean));
        mean.Should().BeApproximately(0, 0.05);
        variance.Should().BeApproximately(1, 0.05);
    }

    [Fact]
    public void Standard_scaling_centres_and_scales_train_columns_and_leaves_constant_columns_at_zero()
    {
        var train = FeatureMatrix.FromArray(new float[,] { { 1, 5, 2 }, { 3, 5, 2 }, { 5, 5, 8 } });
        var test = FeatureMatrix.FromArray(new float[,] { { 3, 7, 5 } });

        var (scaledTrain, scaledTest) = ReferenceData.StandardScale(train, test);

        // Column 0: mean 3, population std sqrt(8/3); column 1 constant (std → 1); column 2: mean 4, std sqrt(8).
        float s0 = (float)Math.Sqrt(8.0 / 3), s2 = (float)Math.Sqrt(8.0);
        scaledTrain.Row(0).ToArray().Should().Equal((1 - 3f) / s0, 0f, (2 - 4f) / s2);
        scaledTrain.Row(2).ToArray().Should().Equal((5 - 3f) / s0, 0f, (8 - 4f) / s2);
        scaledTest.Row(0).ToArray().Should().Equal(0f, 2f, (5 - 4f) / s2);
    }

    [MnistFact]
    public void Mnist_subset_is_the_first_rows_standard_scaled()
    {
        var data = ReferenceData.MnistSubset();

        (data.Train.Rows, data.Train.Columns, data.Test.Rows).Should().Be((2000, 784, 1000));
        // The first training labels of MNIST are well known: 5 0 4 1 9 2 1 3 1 4; the first test labels 7 2 1 0 4.
        data.TrainLabels.Take(10).Should().Equal(5, 0, 4, 1, 9, 2, 1, 3, 1, 4);
        data.TestLabels.Take(5).Should().Equal(7, 2, 1, 0, 4);
        data.Classes.Should().Equal(Enumerable.Range(0, 10));
        for (int c = 0; c < 784; c += 7)
        {
            double mean = 0, squares = 0;
            for (int r = 0; r < data.Train.Rows; r++)
            {
                mean += data.Train[r, c];
            }

            mean /= data.Train.Rows;
            for (int r = 0; r < data.Train.Rows; r++)
            {
                squares += (data.Train[r, c] - mean) * (data.Train[r, c] - mean);
            }

            double std = Math.Sqrt(squares / data.Train.Rows);
            mean.Should().BeApproximately(0, 1e-5);
            if (std != 0)
            {
                std.Should().BeApproximately(1, 1e-4);
            }
        }
    }

    [MnistFact]
    public void Mnist_binary_keeps_only_the_two_digits()
    {
        var data = ReferenceData.MnistBinary(4, 9, 500, 300);

        (data.Train.Rows, data.Test.Rows).Should().Be((500, 300));
        data.Classes.Should().Equal(4, 9);
        data.TestLabels.Should().OnlyContain(l => l == 4 || l == 9);
    }

    [Fact]
    public void Idx_reader_rejects_a_file_with_the_wrong_magic_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.gz");
        try
        {
            using (var file = File.Create(path))
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            {
                gzip.Write([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
            }

            FluentActions.Invoking(() => ReferenceData.IdxGz.Read(path, 1))
                .Should().Throw<InvalidDataException>().WithMessage($"{path}*magic 00000D01*");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Idx_reader_reports_a_truncated_payload()
    {
        string path = Path.Combine(Path.GetTempPath(), $"short-{Guid.NewGuid():N}.gz");
        try
        {
            using (var file = File.Create(path))
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            {
                gzip.Write([0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2]);
            }

            FluentActions.Invoking(() => ReferenceData.IdxGz.Read(path, 1))
                .Should().Throw<InvalidDataException>().WithMessage("*promises 5 bytes*");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
