using System.Globalization;

namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// One searched option of a learner of type <typeparamref name="TLearner"/>: a name for reports and a way to apply a
/// value, typed end to end. Where scikit-learn names parameters by strings (<c>"clf__C"</c>) and sets them by
/// reflection, an axis applies its value with a function, usually a <c>with</c> expression
/// (<c>(svm, c) =&gt; svm with { C = c }</c>), so a misspelt option is a compile error.
/// </summary>
/// <typeparam name="TLearner">The learner the axis changes.</typeparam>
/// <typeparam name="TValue">The option's type.</typeparam>
public sealed class SearchAxis<TLearner, TValue>
    where TLearner : IClassifier
{
    private readonly Func<TLearner, TValue, TLearner> _apply;
    private readonly Func<TValue, string> _format;

    /// <summary>An axis named <paramref name="name"/> that sets its value with <paramref name="apply"/>.</summary>
    /// <param name="name">The name reports show, e.g. <c>C</c> or <c>gamma</c>.</param>
    /// <param name="apply">Returns the learner with the value set; it must not change the learner it is given.</param>
    /// <param name="format">How reports write a value; by default its invariant-culture text.</param>
    public SearchAxis(string name, Func<TLearner, TValue, TLearner> apply, Func<TValue, string>? format = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(apply);
        Name = name;
        _apply = apply;
        _format = format ?? FormatInvariant;
    }

    /// <summary>The name reports show.</summary>
    public string Name { get; }

    /// <summary>The learner with <paramref name="value"/> applied, and the parameter as reports show it.</summary>
    internal (TLearner Learner, SearchParameter Parameter) Apply(TLearner learner, TValue value)
    {
        var changed = _apply(learner, value);
        if (changed is null)
        {
            throw new InvalidOperationException($"The search axis '{Name}' returned no learner for the value {_format(value)}.");
        }

        return (changed, new SearchParameter(Name, value, _format(value)));
    }

    private static string FormatInvariant(TValue value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}

/// <summary>One option of a search candidate: its axis's name, the value, and the value as reports write it.</summary>
/// <param name="Name">The axis's name.</param>
/// <param name="Value">The value applied.</param>
/// <param name="Text">The value as reports write it.</param>
public sealed record SearchParameter(string Name, object? Value, string Text)
{
    /// <summary><c>name=text</c>.</summary>
    public override string ToString() => $"{Name}={Text}";
}

/// <summary>
/// Builds the apply functions of axes that reach inside a <see cref="Pipeline"/>: its classifier's options or one of
/// its steps' (scikit-learn's <c>clf__C</c>, typed).
/// </summary>
public static class PipelineAxis
{
    /// <summary>An apply function on a pipeline that applies <paramref name="apply"/> to its classifier.</summary>
    /// <typeparam name="TClassifier">The pipeline's classifier type.</typeparam>
    /// <typeparam name="TValue">The option's type.</typeparam>
    /// <param name="apply">Sets the value on the classifier.</param>
    /// <exception cref="InvalidOperationException">(When applied) the pipeline's classifier is not a <typeparamref name="TClassifier"/>.</exception>
    public static Func<Pipeline, TValue, Pipeline> Classifier<TClassifier, TValue>(Func<TClassifier, TValue, TClassifier> apply)
        where TClassifier : IClassifier
    {
        ArgumentNullException.ThrowIfNull(apply);
        return (pipeline, value) => pipeline.Classifier is TClassifier classifier
            ? pipeline with { Classifier = apply(classifier, value) }
            : throw new InvalidOperationException(
                $"The search axis expects the pipeline's classifier to be a {typeof(TClassifier).Name}, but it is a {pipeline.Classifier?.GetType().Name ?? "null"}.");
    }

    /// <summary>An apply function on a pipeline that applies <paramref name="apply"/> to its step number <paramref name="step"/>.</summary>
    /// <typeparam name="TStep">The step's type.</typeparam>
    /// <typeparam name="TValue">The option's type.</typeparam>
    /// <param name="step">The step's index in <see cref="Pipeline.Steps"/>.</param>
    /// <param name="apply">Sets the value on the step.</param>
    /// <exception cref="InvalidOperationException">(When applied) there is no such step or it is not a <typeparamref name="TStep"/>.</exception>
    public static Func<Pipeline, TValue, Pipeline> Step<TStep, TValue>(int step, Func<TStep, TValue, TStep> apply)
        where TStep : IUnfittedTransform
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentNullException.ThrowIfNull(apply);
        return (pipeline, value) =>
        {
            if (step >= pipeline.Steps.Count || pipeline.Steps[step] is not TStep current)
            {
                throw new InvalidOperationException(
                    $"The search axis expects pipeline step {step} to be a {typeof(TStep).Name}; the pipeline has {pipeline.Steps.Count} step(s).");
            }

            var steps = pipeline.Steps.ToArray();
            steps[step] = apply(current, value);
            return pipeline with { Steps = steps };
        };
    }
}
