using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Ensembles;

/// <summary>The model-file form of <see cref="VotingModel"/> (kind <c>voting</c>, documented in docs/model-format.md).</summary>
public sealed partial class VotingModel : IPersistable
{
    /// <summary>The kind name of voting ensembles in model files.</summary>
    internal const string Kind = "voting";

    string IPersistable.PersistenceKind => Kind;

    /// <inheritdoc />
    /// <remarks>
    /// Writes payload version 1. Each member is a nested object with its own kind and payload version, as a
    /// pipeline's steps are, so members evolve without this kind changing.
    /// </remarks>
    /// <exception cref="NotSupportedException">A member cannot be persisted.</exception>
    void IPersistable.Write(ModelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteInt32((int)Voting);
        writer.WriteInt32(_members.Length);
        for (int m = 0; m < _members.Length; m++)
        {
            writer.WriteString(_names[m]);
            writer.WriteObject(_members[m] as IPersistable ?? throw new NotSupportedException(
                $"The voting ensemble cannot be saved: its member '{_names[m]}' is a {_members[m].GetType().Name}, not one of the library's models, which alone can be written to a model file."));
        }

        writer.WriteBoolean(_weights is not null);
        if (_weights is not null)
        {
            writer.WriteDoubleArray(_weights);
        }

        writer.WriteBoolean(FitTime is not null);
        if (FitTime is { } time)
        {
            writer.WriteInt64(time.Ticks);
        }
    }

    /// <summary>
    /// Reads what <see cref="IPersistable.Write"/> wrote and checks that the members can vote together: valid names
    /// and weights, the same classes and feature count, and probabilities from every member of a soft vote. A member
    /// that cannot be read is reported with its name.
    /// </summary>
    internal static VotingModel Read(ModelReader reader)
    {
        int mode = reader.ReadInt32();
        if (!Enum.IsDefined((VotingMode)mode))
        {
            throw reader.Invalid($"the voting model has voting mode {mode}, not 0 (hard) or 1 (soft)");
        }

        var voting = (VotingMode)mode;
        int count = reader.ReadInt32();
        // Each member takes at least a name length and a nested object's kind length, payload version and payload
        // length, which bounds the count.
        if (count < 1 || (long)count * 18 > reader.Remaining)
        {
            throw reader.Invalid($"the voting model claims {count} members, which its {reader.Remaining} bytes cannot hold (at least 1 is needed)");
        }

        var names = new string[count];
        var members = new IClassifierModel[count];
        for (int m = 0; m < count; m++)
        {
            names[m] = reader.ReadString();
            try
            {
                members[m] = reader.ReadObject<IClassifierModel>();
            }
            catch (InvalidDataException e) when (e.Data[ModelFormatError.ProblemKey] is string memberProblem)
            {
                throw reader.Invalid($"voting member '{names[m]}': {memberProblem}");
            }
        }

        double[]? weights = reader.ReadBoolean() ? reader.ReadDoubleArray() : null;
        TimeSpan? fitTime = reader.ReadBoolean() ? TimeSpan.FromTicks(reader.ReadInt64()) : null;

        if (Problem(names, members, voting, weights, fitTime) is { } problem)
        {
            throw reader.Invalid($"the voting model is invalid: {problem}");
        }

        return new VotingModel(names, members, voting, weights, fitTime);
    }

    private static string? Problem(string[] names, IClassifierModel[] members, VotingMode voting, double[]? weights, TimeSpan? fitTime)
    {
        if (NamesProblem(names) is { } namesProblem)
        {
            return $"the members' {namesProblem}";
        }

        if (weights is not null && WeightsProblem(weights, members.Length) is { } weightsProblem)
        {
            return $"the weights {weightsProblem}";
        }

        if (MembersProblem(names, members) is { } membersProblem)
        {
            return membersProblem;
        }

        int lacking = Array.FindIndex(members, m => !m.SupportsProbabilities);
        if (voting == VotingMode.Soft && lacking >= 0)
        {
            return $"it votes soft but member '{names[lacking]}' gives no probabilities";
        }

        return fitTime is { Ticks: < 0 } ? "its fit time is negative" : null;
    }
}
