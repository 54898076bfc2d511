using Mnist.Classifiers.LinearAlgebra;

namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>A theory about the AVX2 kernels: skipped, saying why, on a processor without AVX2 and FMA.</summary>
public sealed class Avx2TheoryAttribute : TheoryAttribute
{
    public Avx2TheoryAttribute()
    {
        if (!KernelSets.IsSupported(KernelSet.Avx2))
        {
            Skip = "This processor has no AVX2 and FMA, so the AVX2 kernels cannot run here.";
        }
    }
}
