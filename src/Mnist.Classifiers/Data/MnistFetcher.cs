using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Mnist.Classifiers.IO;

namespace Mnist.Classifiers.Data;

/// <summary>The MNIST images as distributed: the 60,000 training rows and the 10,000 test rows, before any split.</summary>
/// <param name="Training">The training rows, in their original order.</param>
/// <param name="Test">The test rows.</param>
/// <param name="Source">Where they came from (recorded in the dataset file), e.g. <c>openml:mnist_784</c>.</param>
public sealed record RawMnist(LabeledImages Training, LabeledImages Test, string Source);

/// <summary>Where <see cref="MnistFetcher"/> downloads from and what it expects there.</summary>
public sealed record MnistDownloadSettings
{
    /// <summary>OpenML's description of data set 554 (<c>mnist_784</c>), which names the ARFF file and its MD5.</summary>
    public Uri OpenMlDescription { get; init; } = new("https://api.openml.org/api/v1/json/data/554");

    /// <summary>The IDX mirrors tried in order when OpenML fails; each holds the four <c>*.gz</c> files.</summary>
    public IReadOnlyList<Uri> IdxMirrors { get; init; } =
    [
        new("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        new("https://storage.googleapis.com/cvdf-datasets/mnist/"),
    ];

    /// <summary>The MD5 of each uncompressed IDX file, keyed by its name without <c>.gz</c>.</summary>
    public IReadOnlyDictionary<string, string> IdxMd5 { get; init; } = new Dictionary<string, string>
    {
        [MnistFiles.TrainImages] = "6bbc9ace898e44ae57da46a324031adb",
        [MnistFiles.TrainLabels] = "a25bea736e30d166cdddb491f175f624",
        [MnistFiles.TestImages] = "2646ac647ad5339dbf082846283269ea",
        [MnistFiles.TestLabels] = "27ae3e4e09519cfbb04c329615203637",
    };

    /// <summary>How many of OpenML's rows are the original training set (the rest are the test set).</summary>
    public int OpenMlTrainingRows { get; init; } = 60_000;

    /// <summary>How many rows OpenML's file must have in all.</summary>
    public int OpenMlTotalRows { get; init; } = 70_000;
}

/// <summary>The names of the four files of the MNIST distribution.</summary>
public static class MnistFiles
{
    /// <summary>Training images.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>Training labels.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>Test images.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>Test labels.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>All four, in the order training images, training labels, test images, test labels.</summary>
    public static IReadOnlyList<string> All { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];
}

/// <summary>How far one download has come.</summary>
/// <param name="File">The name of the file being downloaded.</param>
/// <param name="Bytes">The bytes received so far.</param>
/// <param name="Length">The length the server announced, when it did.</param>
/// <param name="Done">Whether the last byte has arrived (the checksum is checked next).</param>
public readonly record struct DownloadProgress(string File, long Bytes, long? Length, bool Done);

/// <summary>
/// Gets the MNIST images: downloaded from OpenML (<c>mnist_784</c>, verified by the MD5 OpenML publishes), or from
/// IDX mirrors when OpenML fails (verified against the known MD5s), or read from a local directory of IDX files.
/// Downloads are kept in a cache directory and reused when their checksums still match.
/// </summary>
public sealed class MnistFetcher
{
    private readonly HttpClient _http;
    private readonly string _cacheDirectory;
    private readonly TextWriter? _progress;
    private readonly IProgress<DownloadProgress>? _downloads;
    private readonly MnistDownloadSettings _settings;

    /// <summary>Creates a fetcher.</summary>
    /// <param name="http">The client used for downloads (tests pass one over a fake handler).</param>
    /// <param name="cacheDirectory">Where downloads are kept; created when needed. Null for <see cref="DefaultCacheDirectory"/>.</param>
    /// <param name="progress">Where progress lines go (a source that failed, the file being read, and the bytes
    /// downloaded unless <paramref name="downloads"/> takes those); null for none.</param>
    /// <param name="settings">The download locations and checksums; null for the defaults.</param>
    /// <param name="downloads">Where each download reports its bytes (a few times a second and once when done),
    /// for a progress bar; null to write them as lines to <paramref name="progress"/>.</param>
    public MnistFetcher(
        HttpClient http, string? cacheDirectory = null, TextWriter? progress = null, MnistDownloadSettings? settings = null,
        IProgress<DownloadProgress>? downloads = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        _cacheDirectory = cacheDirectory ?? DefaultCacheDirectory;
        _progress = progress;
        _downloads = downloads;
        _settings = settings ?? new MnistDownloadSettings();
    }

    /// <summary>
    /// The default cache directory: <c>$XDG_CACHE_HOME/mnist-classifiers</c>, or <c>~/.cache/mnist-classifiers</c>
    /// when that variable is not set.
    /// </summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = string.IsNullOrWhiteSpace(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            return Path.Combine(root, "mnist-classifiers");
        }
    }

    /// <summary>An <see cref="HttpClient"/> suited to large downloads (transparent gzip/deflate, no overall timeout).</summary>
    public static HttpClient CreateDefaultHttpClient() =>
        new(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.All, ConnectTimeout = TimeSpan.FromSeconds(30) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>
    /// Reads the four IDX files (each raw or gzip, named as in <see cref="MnistFiles"/> with or without <c>.gz</c>;
    /// the <c>train-images.idx3-ubyte</c> spelling is accepted too) from <paramref name="directory"/>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the files is missing (the message names the directory and file).</exception>
    /// <exception cref="InvalidDataException">A file is not valid IDX, or images and labels do not match.</exception>
    public static RawMnist LoadLocal(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The MNIST directory '{directory}' does not exist.");
        }

        var paths = MnistFiles.All.Select(name => FindIdx(directory, name)).ToArray();
        return FromIdx(paths, $"idx:{Path.GetFullPath(directory)}");
    }

    /// <summary>Downloads MNIST (or takes it from the cache): OpenML first, then each IDX mirror.</summary>
    /// <exception cref="IOException">Every source failed; the message lists why each one did.</exception>
    public async Task<RawMnist> DownloadAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(_cacheDirectory);
        var failures = new List<string>();
        try
        {
            return await FromOpenMlAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsSourceFailure(e, cancellationToken))
        {
            failures.Add($"OpenML ({_settings.OpenMlDescription}): {e.Message}");
            _progress?.WriteLine($"OpenML failed: {e.Message}");
        }

        foreach (var mirror in _settings.IdxMirrors)
        {
            try
            {
                return await FromMirrorAsync(mirror, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsSourceFailure(e, cancellationToken))
            {
                failures.Add($"{mirror}: {e.Message}");
                _progress?.WriteLine($"Mirror {mirror} failed: {e.Message}");
            }
        }

        throw new IOException(
            $"Could not download MNIST from any source ({string.Join("; ", failures)}). " +
            "Without internet access, pass a directory holding the four IDX files instead.");
    }

    private static bool IsSourceFailure(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && e is HttpRequestException or IOException or InvalidDataException or TaskCanceledException or JsonException;

    private async Task<RawMnist> FromOpenMlAsync(CancellationToken cancellationToken)
    {
        var descriptionPath = Path.Combine(_cacheDirectory, "openml-554-description.json");
        var description = await TryReadDescriptionAsync(descriptionPath, cancellationToken).ConfigureAwait(false);
        var arffPath = description is null ? null : Path.Combine(_cacheDirectory, $"openml-554-{description.Md5}.arff");
        if (description is null || !File.Exists(arffPath) || !Md5Matches(arffPath!, description.Md5))
        {
            var json = await DownloadBytesAsync(_settings.OpenMlDescription, cancellationToken).ConfigureAwait(false);
            description = ParseDescription(json, _settings.OpenMlDescription.ToString());
            arffPath = Path.Combine(_cacheDirectory, $"openml-554-{description.Md5}.arff");
            if (!File.Exists(arffPath) || !Md5Matches(arffPath, description.Md5))
            {
                await DownloadFileAsync(description.Url, arffPath, description.Md5, cancellationToken).ConfigureAwait(false);
            }

            AtomicFile.Write(descriptionPath, temporary => File.WriteAllBytes(temporary, json));
        }

        _progress?.WriteLine($"Reading {arffPath}");
        LabeledImages all;
        await using (var stream = File.OpenRead(arffPath!))
        {
            using var content = MaybeGunzip(stream);
            all = ArffReader.Read(content, arffPath!);
        }

        if (all.Rows != _settings.OpenMlTotalRows)
        {
            throw new InvalidDataException(
                $"'{arffPath}' has {all.Rows} rows; OpenML's mnist_784 has {_settings.OpenMlTotalRows}.");
        }

        var trainingRows = _settings.OpenMlTrainingRows;
        var columns = all.Columns;
        var training = new LabeledImages(all.Pixels[..(trainingRows * columns)], all.Labels[..trainingRows], columns);
        var test = new LabeledImages(all.Pixels[(trainingRows * columns)..], all.Labels[trainingRows..], columns);
        return new RawMnist(training, test, "openml:mnist_784");
    }

    private async Task<RawMnist> FromMirrorAsync(Uri mirror, CancellationToken cancellationToken)
    {
        var paths = new string[MnistFiles.All.Count];
        for (var i = 0; i < paths.Length; i++)
        {
            var name = MnistFiles.All[i];
            if (!_settings.IdxMd5.TryGetValue(name, out var expected))
            {
                throw new InvalidDataException($"No MD5 is configured for {name}, so a download could not be verified.");
            }

            var path = Path.Combine(_cacheDirectory, name + ".gz");
            if (!File.Exists(path) || !Md5Matches(path, expected))
            {
                await DownloadFileAsync(new Uri(mirror, name + ".gz"), path, expected, cancellationToken).ConfigureAwait(false);
            }

            paths[i] = path;
        }

        return FromIdx(paths, $"idx:{mirror}");
    }

    private static RawMnist FromIdx(string[] paths, string source)
    {
        var trainImages = IdxFile.ReadImages(paths[0]);
        var trainLabels = IdxFile.ReadLabels(paths[1]);
        var testImages = IdxFile.ReadImages(paths[2]);
        var testLabels = IdxFile.ReadLabels(paths[3]);
        CheckPair(trainImages, trainLabels, paths[0], paths[1]);
        CheckPair(testImages, testLabels, paths[2], paths[3]);
        if (testImages.Height != trainImages.Height || testImages.Width != trainImages.Width)
        {
            throw new InvalidDataException(
                $"The test images '{paths[2]}' are {testImages.Height}×{testImages.Width} but the training images '{paths[0]}' are {trainImages.Height}×{trainImages.Width}.");
        }

        return new RawMnist(
            new LabeledImages(trainImages.Pixels, trainLabels, trainImages.PixelsPerImage),
            new LabeledImages(testImages.Pixels, testLabels, testImages.PixelsPerImage),
            source);

        static void CheckPair(IdxImages images, byte[] labels, string imagesPath, string labelsPath)
        {
            if (images.Count != labels.Length)
            {
                throw new InvalidDataException(
                    $"'{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labels.Length} labels.");
            }
        }
    }

    private static string FindIdx(string directory, string name)
    {
        var alternative = name.Replace("-idx", ".idx", StringComparison.Ordinal);
        foreach (var candidate in new[] { name, name + ".gz", alternative, alternative + ".gz" })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(
            $"The MNIST directory '{directory}' has no '{name}' (nor '{name}.gz').", Path.Combine(directory, name));
    }

    /// <summary>Checks a cached or downloaded file: its MD5, or (for a gzip file) the MD5 of its content.</summary>
    private static bool Md5Matches(string path, string expected)
    {
        using var stream = File.OpenRead(path);
        using var content = MaybeGunzip(stream);
        try
        {
            return Convert.ToHexStringLower(MD5.HashData(content)).Equals(expected, StringComparison.OrdinalIgnoreCase);
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static Stream MaybeGunzip(FileStream stream) =>
        IdxFile.StartsWithGzipMagic(stream) ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true) : new BufferedStream(stream, 1 << 16);

    private sealed record OpenMlDescription(Uri Url, string Md5);

    private static async Task<OpenMlDescription?> TryReadDescriptionAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return ParseDescription(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), path);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static OpenMlDescription ParseDescription(byte[] json, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var description = document.RootElement.GetProperty("data_set_description");
            var md5 = description.GetProperty("md5_checksum").GetString();
            var url = description.TryGetProperty("url", out var u) ? u.GetString() : null;
            if (string.IsNullOrEmpty(url) && description.TryGetProperty("file_id", out var id))
            {
                url = $"https://api.openml.org/data/v1/download/{id.GetString()}";
            }

            if (string.IsNullOrEmpty(md5) || md5.Length != 32 || string.IsNullOrEmpty(url))
            {
                throw new InvalidDataException($"'{name}' does not give the data file's url and md5_checksum.");
            }

            return new OpenMlDescription(new Uri(url), md5.ToLowerInvariant());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or UriFormatException)
        {
            throw new InvalidDataException($"'{name}' is not an OpenML data set description: {e.Message}", e);
        }
    }

    private async Task<byte[]> DownloadBytesAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, uri);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Downloads <paramref name="uri"/> to <paramref name="path"/> atomically, reporting progress, then checks its MD5.</summary>
    private async Task DownloadFileAsync(Uri uri, string path, string md5, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var temporary = Path.Combine(_cacheDirectory, $".{name}.{Guid.NewGuid():N}.part");
        try
        {
            using (var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
            {
                EnsureSuccess(response, uri);
                var length = response.Content.Headers.ContentLength;
                await using var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                var buffer = new byte[1 << 16];
                long total = 0;
                var clock = Stopwatch.StartNew();
                var lastReport = TimeSpan.FromSeconds(-1);
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    total += read;
                    if (clock.Elapsed - lastReport >= TimeSpan.FromMilliseconds(250))
                    {
                        lastReport = clock.Elapsed;
                        ReportProgress(name, total, length, done: false);
                    }
                }

                ReportProgress(name, total, length, done: true);
                if (length is { } expectedLength && total != expectedLength)
                {
                    throw new IOException($"The download of {uri} stopped after {total} of {expectedLength} bytes.");
                }
            }

            if (!Md5Matches(temporary, md5))
            {
                throw new InvalidDataException($"The file downloaded from {uri} does not have the expected MD5 {md5}.");
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private void ReportProgress(string name, long bytes, long? length, bool done)
    {
        if (_downloads is not null)
        {
            _downloads.Report(new DownloadProgress(name, bytes, length, done));
            return;
        }

        if (_progress is null)
        {
            return;
        }

        var text = length is > 0
            ? $"Downloading {name}: {bytes / 1e6:F1} of {length.Value / 1e6:F1} MB ({100.0 * bytes / length.Value:F0}%)"
            : $"Downloading {name}: {bytes / 1e6:F1} MB";
        _progress.Write(done ? text + Environment.NewLine : text + "\r");
        _progress.Flush();
    }

    private static void EnsureSuccess(HttpResponseMessage response, Uri uri)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
        }
    }
}
