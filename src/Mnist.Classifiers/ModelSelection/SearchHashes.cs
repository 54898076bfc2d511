using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Ensembles;

namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// The SHA-256 fingerprints a scale-out search's results files carry, so that a merge refuses results computed on
/// other rows or for another search.
/// </summary>
internal static class SearchHashes
{
    /// <summary>The hash of the rows' shape, then every feature's bits row after row, then the labels (little-endian).</summary>
    public static string Data(FeatureMatrix features, int[] labels)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> shape = stackalloc byte[8];
        BitConverter.TryWriteBytes(shape, features.Rows);
        BitConverter.TryWriteBytes(shape[4..], features.Columns);
        sha.AppendData(shape);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The dataset hash is defined on little-endian machines.");
        }

        // A contiguous matrix is hashed in one pass; a view (a subset of rows) row by row, with the same bytes.
        if (features.IsContiguous)
        {
            sha.AppendData(MemoryMarshal.AsBytes(features.AsSpan()));
        }
        else
        {
            for (int row = 0; row < features.Rows; row++)
            {
                sha.AppendData(MemoryMarshal.AsBytes(features.Row(row)));
            }
        }

        sha.AppendData(MemoryMarshal.AsBytes(labels.AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The hash of a text's UTF-8 bytes.</summary>
    public static string Text(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// A learner as text for the search's hash: its record text (every option; the invariant culture, so that the
    /// hash does not depend on the machine's locale), with the parts that records print only as a type name, the
    /// steps of a <see cref="Pipeline"/> and the members and weights of a <see cref="VotingClassifier"/>, written out.
    /// </summary>
    public static string Learner(object learner)
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return Text(learner);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }

        static string Text(object learner) => learner switch
        {
            Pipeline p => $"Pipeline {{ Steps = [{string.Join(", ", p.Steps.Select(Text))}], Classifier = {Text(p.Classifier)} }}",
            VotingClassifier v => $"{v with { Members = [], Weights = null }} with members [{string.Join(", ", v.Members.Select(m => $"{m.Name} = {Text(m.Classifier)}"))}]"
                + $" and weights [{string.Join(", ", v.Weights ?? [])}]",
            _ => learner.ToString() ?? learner.GetType().FullName!,
        };
    }
}
