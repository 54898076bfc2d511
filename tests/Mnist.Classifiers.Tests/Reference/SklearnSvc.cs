// Reference fits of scikit-learn's SVC (LIBSVM 3.x inside, sklearn 1.2) for the kernel SVM agreement tests.
//
// CONVENTIONS of SvcReferenceResult (pinned by Reference/sklearn_svc.py --self-test and by SklearnSvcTests):
//
// * Classes: the distinct training labels, ascending (sklearn sorts them; its LIBSVM is patched to keep that order).
//   k = Classes.Length.
// * Pair order: the k(k-1)/2 one-vs-one problems are listed in LIBSVM's order over class indices
//   (0,1),(0,2),...,(0,k-1),(1,2),...,(k-2,k-1). Pairs[p], Rhos[p], PairObjectives[p], IterationsPerPair[p] and
//   column p of PairDecisionValues all use that order. For k = 2 there is one pair, (0,1).
// * Labels within a pair (a,b), a < b: LIBSVM gives rows of class a y = +1 and rows of class b y = -1, for every k.
// * Coefficients: Pairs[p].Rows lists the training-row indices (into the FeatureMatrix given to Fit) whose alpha is
//   > 0 in that pair, ascending, and Pairs[p].Coefficients the matching alpha_i * y_i (so > 0 for class a rows,
//   < 0 for class b rows, |value| <= C * class weight). This is a flattened form of sklearn's dual_coef_; the SVM
//   tests can compare against it without knowing sklearn's layout.
// * Rho: exactly as LIBSVM defines it, decision d_ab(x) = sum_i alpha_i y_i K(x_i, x) - rho; d_ab(x) > 0 votes for
//   class a. (sklearn stores -rho internally in _intercept_. Its public intercept_ is -rho for k > 2 but +rho for
//   k = 2, because for binary problems sklearn negates intercept_, dual_coef_ and decision_function so that a positive
//   decision means Classes[1]. SklearnIntercept / SklearnDualCoef / SklearnDecisionOvo are sklearn's arrays as is.)
// * PairDecisionValues[row, p] = d_ab for every k. SklearnDecisionOvo is -d_01 (one column) for k = 2 and equal to
//   PairDecisionValues for k > 2. SklearnDecisionOvr is sklearn's vote-plus-confidence 'ovr' transform ([row, class]).
// * sklearn's raw dual_coef_ layout (k > 2), kept in SklearnDualCoef: shape (k-1, n_SV), columns = support vectors
//   grouped by class (SupportCountPerClass), the coefficient of an SV of class a in pair (a,b) is in row b-1 and that
//   of an SV of class b in row a; zeros mean "not a support vector of that pair".
// * Objective: LIBSVM's dual objective of each pair problem, f(alpha) = 1/2 alpha^T Q alpha - e^T alpha with
//   Q_ij = y_i y_j K(x_i, x_j), alpha >= 0; computed in python in float64 as 1/2 c^T K c - sum|c| from c = alpha*y and
//   the pair's kernel matrix. (It is negative; LIBSVM minimises it.) LibsvmReportedObjective is LIBSVM's own printed
//   value with six decimals, a cross-check, null when probability is on.
// * Gamma: Kernel.Gamma is the gamma LIBSVM used: 'scale' = 1 / (n_features * var(X_train)) with the variance over all
//   training values in float64; 'auto' = 1 / n_features.
// * Data: the float32 features go to python unchanged and SVC converts them to float64 exactly, so both sides start
//   from the same numbers. Labels are any ints.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Reference;

/// <summary>
/// Runs scikit-learn's <c>SVC</c> through <c>/usr/bin/python3</c> on the given data and returns what it learned,
/// in LIBSVM's conventions (described at the top of this file).
/// </summary>
public static class SklearnSvc
{
    /// <summary>The python script, copied beside the test assembly.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Reference", "sklearn_svc.py");

    /// <summary>Where results are cached, keyed by a SHA-256 of the script, the data and the hyperparameters.</summary>
    public static string CacheDirectory => Path.Combine(Path.GetTempPath(), "mnist-classifiers-sklearn-svc");

    /// <summary>Fits <c>sklearn.svm.SVC</c> on (<paramref name="train"/>, <paramref name="labels"/>) and evaluates it on <paramref name="test"/>.</summary>
    /// <exception cref="ArgumentException">Shapes do not match.</exception>
    /// <exception cref="InvalidOperationException">Python failed; the message holds its standard error.</exception>
    /// <exception cref="TimeoutException">Python ran longer than <see cref="SvcReferenceOptions.Timeout"/>.</exception>
    public static SvcReferenceResult Fit(FeatureMatrix train, int[] labels, FeatureMatrix test, SvcReferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (labels.Length != train.Rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {train.Rows} training rows.", nameof(labels));
        }

        if (test.Columns != train.Columns)
        {
            throw new ArgumentException($"The test rows have {test.Columns} features, the training rows {train.Columns}.", nameof(test));
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The request file is written little-endian from memory.");
        }

        if (!File.Exists(ScriptPath))
        {
            throw new FileNotFoundException($"The reference script is missing from the test output: {ScriptPath}", ScriptPath);
        }

        byte[] data = EncodeData(train, labels, test);
        JsonObject parameters = EncodeParameters(options);
        string key = CacheKey(data, parameters);
        string resultPath = Path.Combine(CacheDirectory, key + ".json");
        if (options.UseCache && File.Exists(resultPath))
        {
            try
            {
                return Decode(File.ReadAllText(resultPath), options, fromCache: true);
            }
            catch (JsonException)
            {
                // A corrupt cache entry (should not happen: python renames a finished file into place) is recomputed.
            }
        }

        Directory.CreateDirectory(CacheDirectory);
        string work = Path.Combine(Path.GetTempPath(), "sklearn-svc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            string dataPath = Path.Combine(work, "data.bin");
            string requestPath = Path.Combine(work, "request.json");
            if (!options.UseCache)
            {
                resultPath = Path.Combine(work, "result.json");
            }

            File.WriteAllBytes(dataPath, data);
            var request = new JsonObject
            {
                ["data_file"] = dataPath,
                ["n_train"] = train.Rows,
                ["n_test"] = test.Rows,
                ["n_features"] = train.Columns,
                ["result_file"] = resultPath,
                ["params"] = parameters,
            };
            File.WriteAllText(requestPath, request.ToJsonString());
            PythonReference.RunScript(ScriptPath, options.Timeout, requestPath);
            return Decode(File.ReadAllText(resultPath), options, fromCache: false);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static byte[] EncodeData(FeatureMatrix train, int[] labels, FeatureMatrix test)
    {
        var trainValues = train.ToArray();
        var testValues = test.ToArray();
        var bytes = new byte[4L * (trainValues.Length + labels.Length + testValues.Length)];
        var span = bytes.AsSpan();
        MemoryMarshal.AsBytes(trainValues.AsSpan()).CopyTo(span);
        span = span[(4 * trainValues.Length)..];
        MemoryMarshal.AsBytes(labels.AsSpan()).CopyTo(span);
        span = span[(4 * labels.Length)..];
        MemoryMarshal.AsBytes(testValues.AsSpan()).CopyTo(span);
        return bytes;
    }

    private static JsonObject EncodeParameters(SvcReferenceOptions options)
    {
        JsonNode? classWeight = null;
        if (options.BalancedClassWeight)
        {
            classWeight = "balanced";
        }
        else if (options.ClassWeight is not null)
        {
            var weights = new JsonObject();
            foreach (var (label, weight) in options.ClassWeight.OrderBy(p => p.Key))
            {
                weights[label.ToString(CultureInfo.InvariantCulture)] = weight;
            }

            classWeight = weights;
        }

        return new JsonObject
        {
            ["C"] = options.C,
            ["kernel"] = options.Kernel.ToString().ToLowerInvariant(),
            ["gamma"] = options.Gamma.Rule == SvcGammaRule.Value ? JsonValue.Create(options.Gamma.Value) : JsonValue.Create(options.Gamma.ToString()),
            ["degree"] = options.Degree,
            ["coef0"] = options.Coef0,
            ["tol"] = options.Tolerance,
            ["shrinking"] = options.Shrinking,
            ["class_weight"] = classWeight,
            ["probability"] = options.Probability,
            ["random_state"] = options.RandomState,
            ["cache_size"] = options.CacheSizeMb,
            ["max_iter"] = options.MaxIterations,
            ["standardize"] = options.Standardize,
        };
    }

    private static string CacheKey(byte[] data, JsonObject parameters)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(ScriptPath));
        hash.AppendData(Encoding.UTF8.GetBytes(parameters.ToJsonString()));
        hash.AppendData(data);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static SvcReferenceResult Decode(string json, SvcReferenceOptions options, bool fromCache)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        int[] classes = Ints(root.GetProperty("classes"));
        double[]? libsvmObjectives = NullableDoubles(root.GetProperty("libsvm_objectives"));
        int[] iterations = Ints(root.GetProperty("n_iter"));
        var pairs = new List<SvcPairSolution>();
        foreach (var pair in root.GetProperty("pairs").EnumerateArray())
        {
            int a = pair.GetProperty("class_a").GetInt32(), b = pair.GetProperty("class_b").GetInt32();
            int p = pairs.Count;
            pairs.Add(new SvcPairSolution(
                a,
                b,
                classes[a],
                classes[b],
                Ints(pair.GetProperty("rows")),
                Doubles(pair.GetProperty("coef")),
                pair.GetProperty("rho").GetDouble(),
                pair.GetProperty("objective").GetDouble(),
                libsvmObjectives is not null && p < libsvmObjectives.Length ? libsvmObjectives[p] : null,
                iterations[p]));
        }

        return new SvcReferenceResult
        {
            SklearnVersion = root.GetProperty("sklearn_version").GetString() ?? "",
            Classes = classes,
            SupportCountPerClass = Ints(root.GetProperty("n_support")),
            SupportIndices = Ints(root.GetProperty("support")),
            Pairs = pairs,
            LibsvmReportedRhos = NullableDoubles(root.GetProperty("libsvm_rhos")),
            Kernel = new SvcReferenceKernel(options.Kernel, root.GetProperty("gamma").GetDouble(), options.Degree, options.Coef0),
            FitSeconds = root.GetProperty("fit_seconds").GetDouble(),
            PredictSeconds = root.GetProperty("predict_seconds").GetDouble(),
            Predictions = Ints(root.GetProperty("predictions")),
            PairDecisionValues = Matrix(root.GetProperty("pair_decision")),
            SklearnDecisionOvo = Matrix(root.GetProperty("sklearn_decision_ovo")),
            SklearnDecisionOvr = Matrix(root.GetProperty("sklearn_decision_ovr")),
            Probabilities = root.GetProperty("predict_proba").ValueKind == JsonValueKind.Null ? null : Matrix(root.GetProperty("predict_proba")),
            SklearnDualCoef = Matrix(root.GetProperty("sklearn_dual_coef")),
            SklearnIntercept = Doubles(root.GetProperty("sklearn_intercept")),
            FromCache = fromCache,
        };
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static double[]? NullableDoubles(JsonElement array) => array.ValueKind == JsonValueKind.Null ? null : Doubles(array);

    private static double[,] Matrix(JsonElement rows)
    {
        int rowCount = rows.GetArrayLength();
        int columns = rowCount == 0 ? 0 : rows[0].GetArrayLength();
        var matrix = new double[rowCount, columns];
        int i = 0;
        foreach (var row in rows.EnumerateArray())
        {
            if (row.GetArrayLength() != columns)
            {
                throw new JsonException($"Ragged matrix: row {i} has {row.GetArrayLength()} values, row 0 has {columns}.");
            }

            int j = 0;
            foreach (var value in row.EnumerateArray())
            {
                matrix[i, j++] = value.GetDouble();
            }

            i++;
        }

        return matrix;
    }
}
