using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Data;

/// <summary>Answers requests from a table of URLs; anything else is a 404. Counts the requests.</summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly Dictionary<string, Func<HttpResponseMessage>> _routes = [];

    public List<string> Requests { get; } = [];

    public FakeHttpHandler Serve(string url, byte[] content) => Serve(url, () => new HttpResponseMessage(HttpStatusCode.OK)
    {
        Content = new ByteArrayContent(content),
    });

    public FakeHttpHandler Serve(string url, Func<HttpResponseMessage> response)
    {
        _routes[url] = response;
        return this;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!.ToString();
        Requests.Add(url);
        return Task.FromResult(_routes.TryGetValue(url, out var respond) ? respond() : new HttpResponseMessage(HttpStatusCode.NotFound));
    }
}

public class MnistFetcherTests
{
    private const string Description = "https://openml.test/api/v1/json/data/554";
    private const string ArffUrl = "https://openml.test/data/v1/download/52667/mnist_784.arff";
    private const string Mirror = "https://mirror.test/mnist/";

    private static readonly LabeledImages AllRows = Synthetic.Images(12, 8);

    private static byte[] Arff()
    {
        var text = new StringBuilder("@RELATION mnist_784\n");
        for (var i = 1; i <= 784; i++)
        {
            text.Append($"@ATTRIBUTE pixel{i} NUMERIC\n");
        }

        text.Append("@ATTRIBUTE class {'0','1','2','3','4','5','6','7','8','9'}\n@DATA\n");
        for (var r = 0; r < AllRows.Rows; r++)
        {
            text.AppendJoin(',', AllRows.Pixels.AsSpan(r * 784, 784).ToArray()).Append($",'{AllRows.Labels[r]}'\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] DescriptionJson(byte[] arff) => Encoding.UTF8.GetBytes(
        "{\"data_set_description\":{\"id\":\"554\",\"name\":\"mnist_784\",\"file_id\":\"52667\"," +
        $"\"url\":\"{ArffUrl}\",\"md5_checksum\":\"{Convert.ToHexStringLower(MD5.HashData(arff))}\"" + "}}");

    private static MnistDownloadSettings Settings(IReadOnlyDictionary<string, string>? md5 = null) => new()
    {
        OpenMlDescription = new Uri(Description),
        IdxMirrors = [new Uri("https://down.test/mnist/"), new Uri(Mirror)],
        OpenMlTrainingRows = 10,
        OpenMlTotalRows = 12,
        IdxMd5 = md5 ?? MnistFiles.All.ToDictionary(name => name, _ => new string('0', 32)),
    };

    [Fact]
    public async Task Downloads_OpenML_checks_the_MD5_splits_60k_style_and_reuses_the_cache()
    {
        using var cache = new TempDirectory();
        var arff = Arff();
        var handler = new FakeHttpHandler().Serve(Description, DescriptionJson(arff)).Serve(ArffUrl, arff);
        var progress = new StringWriter();
        var raw = await new MnistFetcher(new HttpClient(handler), cache.Path, progress, Settings()).DownloadAsync();

        raw.Source.Should().Be("openml:mnist_784");
        raw.Training.Rows.Should().Be(10);
        raw.Test.Rows.Should().Be(2);
        raw.Training.Pixels.Should().Equal(AllRows.Pixels[..(10 * 784)]);
        raw.Test.Labels.Should().Equal(AllRows.Labels[10..]);
        progress.ToString().Should().Contain("(100%)");
        handler.Requests.Should().Equal(Description, ArffUrl);

        // A second fetch needs no network at all.
        var offline = new FakeHttpHandler();
        var again = await new MnistFetcher(new HttpClient(offline), cache.Path, null, Settings()).DownloadAsync();
        again.Training.Pixels.Should().Equal(raw.Training.Pixels);
        offline.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Downloads_report_their_bytes_to_a_progress_sink_instead_of_lines()
    {
        using var cache = new TempDirectory();
        var arff = Arff();
        var handler = new FakeHttpHandler().Serve(Description, DescriptionJson(arff)).Serve(ArffUrl, arff);
        var log = new StringWriter();
        var downloads = new DownloadRecorder();

        await new MnistFetcher(new HttpClient(handler), cache.Path, log, Settings(), downloads).DownloadAsync();

        var reports = downloads.Reports;
        reports.Should().NotBeEmpty();
        reports[^1].Done.Should().BeTrue();
        reports[^1].Bytes.Should().Be(arff.Length);
        reports.Select(r => r.Bytes).Should().BeInAscendingOrder();
        log.ToString().Should().NotContain("Downloading", "the bytes went to the sink");
    }

    [Fact]
    public async Task A_corrupted_OpenML_download_is_rejected_and_the_mirror_used_instead()
    {
        using var cache = new TempDirectory();
        using var files = new TempDirectory();
        var expected = Synthetic.WriteIdxDirectory(files.Path, 20, 5, gzip: true);
        var md5 = new Dictionary<string, string>();
        var handler = new FakeHttpHandler();
        var arff = Arff();
        var damaged = (byte[])arff.Clone();
        damaged[^3] ^= 1;
        handler.Serve(Description, DescriptionJson(arff)).Serve(ArffUrl, damaged);
        foreach (var name in MnistFiles.All)
        {
            var gz = File.ReadAllBytes(Path.Combine(files.Path, name + ".gz"));
            handler.Serve(Mirror + name + ".gz", gz);
            using var content = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
            md5[name] = Convert.ToHexStringLower(MD5.HashData(content));
        }

        var progress = new StringWriter();
        var raw = await new MnistFetcher(new HttpClient(handler), cache.Path, progress, Settings(md5)).DownloadAsync();

        raw.Source.Should().Be($"idx:{Mirror}");
        raw.Training.Pixels.Should().Equal(expected.Training.Pixels);
        raw.Test.Labels.Should().Equal(expected.Test.Labels);
        progress.ToString().Should().Contain("OpenML failed").And.Contain("MD5").And.Contain("https://down.test/mnist/ failed");
        Directory.GetFiles(cache.Path).Select(Path.GetFileName).Should().BeEquivalentTo(
            MnistFiles.All.Select(n => n + ".gz"), "only verified files stay in the cache (not the damaged ARFF)");
    }

    [Fact]
    public async Task When_every_source_fails_the_error_lists_each_reason()
    {
        using var cache = new TempDirectory();
        var handler = new FakeHttpHandler().Serve(Description, () => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        var fetch = () => new MnistFetcher(new HttpClient(handler), cache.Path, null, Settings()).DownloadAsync();
        (await fetch.Should().ThrowAsync<IOException>())
            .WithMessage("*OpenML*503*https://down.test/mnist/*404*https://mirror.test/mnist/*404*IDX files*");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Local_directories_of_raw_or_gzip_files_load(bool gzip)
    {
        using var dir = new TempDirectory();
        var expected = Synthetic.WriteIdxDirectory(dir.Path, 30, 6, gzip);
        var raw = MnistFetcher.LoadLocal(dir.Path);
        raw.Training.Pixels.Should().Equal(expected.Training.Pixels);
        raw.Training.Labels.Should().Equal(expected.Training.Labels);
        raw.Test.Pixels.Should().Equal(expected.Test.Pixels);
        raw.Source.Should().Be($"idx:{dir.Path}");
    }

    [Fact]
    public void Bad_local_directories_are_reported_with_the_path()
    {
        ((Action)(() => MnistFetcher.LoadLocal("/nonexistent/mnist"))).Should()
            .Throw<DirectoryNotFoundException>().WithMessage("*'/nonexistent/mnist' does not exist*");

        using var dir = new TempDirectory();
        Synthetic.WriteIdxDirectory(dir.Path, 30, 6, gzip: true);
        File.Delete(dir.File(MnistFiles.TestLabels + ".gz"));
        ((Action)(() => MnistFetcher.LoadLocal(dir.Path))).Should()
            .Throw<FileNotFoundException>().WithMessage($"*'{dir.Path}' has no 't10k-labels-idx1-ubyte'*");

        IdxFile.WriteLabels(dir.File(MnistFiles.TestLabels), [1, 2, 3], gzip: false);
        ((Action)(() => MnistFetcher.LoadLocal(dir.Path))).Should()
            .Throw<InvalidDataException>().WithMessage("*t10k-images-idx3-ubyte.gz' holds 6 images but*t10k-labels-idx1-ubyte' holds 3 labels*");

        File.WriteAllBytes(dir.File(MnistFiles.TrainImages + ".gz"), [0x1f, 0x8b, 8, 0, 0, 0]);
        ((Action)(() => MnistFetcher.LoadLocal(dir.Path))).Should()
            .Throw<InvalidDataException>().WithMessage($"*{dir.File(MnistFiles.TrainImages + ".gz")}*");
    }

    [MnistFact]
    public void The_real_MNIST_directory_loads_with_the_original_counts()
    {
        string directory = SharedMnist.Directory!;

        var raw = MnistFetcher.LoadLocal(directory);
        raw.Training.Rows.Should().Be(60_000);
        raw.Test.Rows.Should().Be(10_000);
        raw.Training.Columns.Should().Be(784);
        raw.Training.Labels.Take(5).Should().Equal(5, 0, 4, 1, 9); // the well-known first training digits
    }

    /// <summary>Keeps what the fetcher reports, synchronously (System.Progress would post to the thread pool).</summary>
    private sealed class DownloadRecorder : IProgress<DownloadProgress>
    {
        public List<DownloadProgress> Reports { get; } = [];

        public void Report(DownloadProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }
}
