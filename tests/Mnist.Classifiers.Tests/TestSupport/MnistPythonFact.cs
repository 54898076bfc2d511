namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>
/// A fact that compares the real MNIST digits with a Python reference: skipped, saying why, when the MNIST files
/// (see <see cref="SharedMnist"/>) or the Python modules (see <see cref="PythonReference"/>) are missing.
/// </summary>
public sealed class MnistPythonFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when MNIST or one of <paramref name="modules"/> is missing.</summary>
    /// <param name="modules">The modules the test imports, as <c>import</c> names.</param>
    public MnistPythonFactAttribute(params string[] modules)
    {
        Skip = References.Skip(SharedMnist.SkipReason ?? PythonReference.SkipReason(modules));
    }
}
