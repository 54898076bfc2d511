namespace Mnist.Classifiers.Tests.Reference;

/// <summary>A fact that is skipped (with the reason) when scikit-learn's python is not installed.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <see cref="SklearnSvc.PythonAvailable"/> is false.</summary>
    public PythonFactAttribute()
    {
        if (!SklearnSvc.PythonAvailable)
        {
            Skip = $"{SklearnSvc.PythonPath} with numpy and scikit-learn is not available.";
        }
    }
}

/// <summary>A theory that is skipped when scikit-learn's python is not installed, or (if asked) MNIST is not found.</summary>
public sealed class PythonTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <see cref="SklearnSvc.PythonAvailable"/> is false.</summary>
    public PythonTheoryAttribute()
    {
        if (!SklearnSvc.PythonAvailable)
        {
            Skip = $"{SklearnSvc.PythonPath} with numpy and scikit-learn is not available.";
        }
    }
}

/// <summary>A fact that is skipped when shared/data/mnist cannot be found beside an ancestor of the test directory.</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <see cref="ReferenceData.MnistAvailable"/> is false.</summary>
    public MnistFactAttribute()
    {
        if (!ReferenceData.MnistAvailable)
        {
            Skip = "shared/data/mnist was not found beside any ancestor of the test directory.";
        }
    }
}
