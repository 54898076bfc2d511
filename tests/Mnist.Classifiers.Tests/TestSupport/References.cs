namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>
/// Whether the tests that need an outside reference (Python with scikit-learn, the MNIST files, a Chromium) may be
/// skipped when it is missing. CI sets <c>MNIST_REQUIRE_REFERENCES=1</c> (<see cref="RequiredVariable"/>) after
/// installing them all: then such a test runs anyway and fails on what is missing, so a skip can never hide a broken
/// comparison there.
/// </summary>
internal static class References
{
    /// <summary>The environment variable that turns the skips into failures when it is 1.</summary>
    public const string RequiredVariable = "MNIST_REQUIRE_REFERENCES";

    /// <summary>True when <see cref="RequiredVariable"/> is 1.</summary>
    public static bool Required { get; } = Environment.GetEnvironmentVariable(RequiredVariable) == "1";

    /// <summary><paramref name="reason"/>, or null (run the test) when the references are required.</summary>
    public static string? Skip(string? reason) => Required ? null : reason;
}
