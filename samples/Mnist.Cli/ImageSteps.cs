using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Mnist.Classifiers;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;

namespace Mnist.Cli;

/// <summary>
/// <c>mnist train</c>'s <c>--deskew</c>, <c>--pca N</c> and <c>--virtual-sv SPEC</c> (issue 17): the options, and the
/// pipeline they make around the scaler and the classifier.
/// </summary>
public static partial class ImageSteps
{
    /// <summary>What <c>--virtual-sv</c> accepts, for its help and its error message.</summary>
    public const string VirtualSvSyntax =
        "a comma-separated list of shiftDxN (N copies shifted by D pixels: N = 4 for left, right, up, down; N = 8 adds the diagonals) "
        + "and rotA (two copies rotated by -A and +A degrees), e.g. shift1x4, shift1x8, shift2x8,rot10";

    /// <summary>New <c>--deskew</c>, <c>--pca N</c> and <c>--virtual-sv SPEC</c> options for one command.</summary>
    public static (Option<bool> Deskew, Option<int?> Pca, Option<string?> VirtualSv) CreateOptions() =>
    (
        new Option<bool>("--deskew")
        {
            Description = "Deskew the 28x28 digits first (moments-based shear making the ink's principal axis vertical, as in LeCun et al. 1998), before the scaler.",
        },
        new Option<int?>("--pca")
        {
            Description = "Project the scaled pixels onto their N leading principal components before the classifier.",
        },
        new Option<string?>("--virtual-sv")
        {
            Description = "SVM only: virtual support vectors (DeCoste & Schölkopf 2002): fit, add transformed copies of the support vectors "
                + "(after deskewing, in pixel space), and refit the scaler, PCA and SVM on them. SPEC is " + VirtualSvSyntax + ".",
        });

    /// <summary>The SVM of a fitted classifier, looking inside (nested) pipelines; null when there is none.</summary>
    public static SvmModel? FindSvm(IClassifierModel model) => model switch
    {
        SvmModel svm => svm,
        PipelineModel pipeline => FindSvm(pipeline.Classifier),
        _ => null,
    };

    /// <summary>
    /// The learner: [deskew] → scaler → [PCA] → classifier; with <c>--virtual-sv</c>, the steps after deskewing and the
    /// SVM are wrapped in <see cref="VirtualSupportVectors"/> (shifted copies must be made before the scaler and
    /// PCA, and after deskewing, which would re-centre them). PCA comes after the scaler so that, unwhitened, it is
    /// a rotation of the scaled pixels and the kernel's gamma keeps its meaning.
    /// </summary>
    /// <param name="settings">The flags.</param>
    /// <param name="scaler">The scaler, or null for none.</param>
    /// <param name="classifier">The classifier.</param>
    /// <param name="report">Told what the virtual support vectors did (for <c>-v</c>); null for nobody.</param>
    /// <exception cref="ArgumentException">A flag is invalid or does not apply to the model.</exception>
    public static Pipeline Build(TrainSettings settings, IUnfittedTransform? scaler, IClassifier classifier, IProgress<VirtualSupportVectorsReport>? report)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Pca is < 1)
        {
            throw new ArgumentException($"--pca must be at least 1; got {settings.Pca}.", "--pca");
        }

        var inner = new List<IUnfittedTransform>();
        if (scaler is not null)
        {
            inner.Add(scaler);
        }

        if (settings.Pca is { } components)
        {
            inner.Add(new Pca(components));
        }

        IUnfittedTransform[] outer = settings.Deskew ? [new Deskew()] : [];
        if (settings.VirtualSv is not { } spec)
        {
            return new Pipeline([.. outer, .. inner], classifier);
        }

        if (settings.GridSearch)
        {
            throw new ArgumentException("--virtual-sv cannot be combined with -g: the search's grid varies the SVM, which the virtual support vectors wrap.", "--virtual-sv");
        }

        if (classifier is not SvmClassifier)
        {
            throw new ArgumentException($"--virtual-sv works with -M svm only; the model is {settings.Model}.", "--virtual-sv");
        }

        var (shifts, rotations) = ParseVirtualSv(spec);
        var vsv = new VirtualSupportVectors(new Pipeline(inner, classifier)) { Shifts = shifts, RotationDegrees = rotations, Report = report };
        vsv.Validate();
        return new Pipeline(outer, vsv);
    }

    /// <summary>The shifts and rotations of a <c>--virtual-sv</c> SPEC (see <see cref="VirtualSvSyntax"/>), in the order given.</summary>
    /// <exception cref="ArgumentException">The SPEC does not follow the syntax.</exception>
    public static (IReadOnlyList<(int Dx, int Dy)> Shifts, IReadOnlyList<double> Rotations) ParseVirtualSv(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var shifts = new List<(int, int)>();
        var rotations = new List<double>();
        foreach (string part in spec.Split(',', StringSplitOptions.TrimEntries))
        {
            if (ShiftPattern().Match(part) is { Success: true } shift
                && int.TryParse(shift.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int distance) && distance >= 1)
            {
                shifts.AddRange(VirtualSupportVectors.ShiftsOf(distance, int.Parse(shift.Groups[2].Value, CultureInfo.InvariantCulture)));
            }
            else if (RotationPattern().Match(part) is { Success: true } rotation
                && double.TryParse(rotation.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double degrees) && degrees > 0)
            {
                rotations.Add(-degrees);
                rotations.Add(degrees);
            }
            else
            {
                throw new ArgumentException($"--virtual-sv: cannot read '{part}' of '{spec}'; expected {VirtualSvSyntax}.", "--virtual-sv");
            }
        }

        return (shifts, rotations);
    }

    /// <summary>
    /// With <c>-v</c>, the lines describing what the virtual support vectors did.
    /// </summary>
    /// <param name="report">The report of the fit.</param>
    public static string Describe(VirtualSupportVectorsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        return $"Virtual support vectors: first fit on {report.TrainingRows} rows in {report.FirstFit.TotalSeconds.ToString("F2", c)}s found "
            + $"{report.SupportVectors} support vectors; copies made in {report.Copies.TotalSeconds.ToString("F2", c)}s; "
            + $"second fit on {report.SecondFitRows} rows in {report.SecondFit.TotalSeconds.ToString("F2", c)}s";
    }

    [GeneratedRegex(@"^shift(\d+)x([48])$", RegexOptions.CultureInvariant)]
    private static partial Regex ShiftPattern();

    [GeneratedRegex(@"^rot(\d+(?:\.\d+)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex RotationPattern();
}
