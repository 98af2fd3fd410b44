using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Http;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace SoraPS.Conformance.Tests
{
    /// <summary>
    /// What SoraPS saves, checked against what the spec servers send: every download variant of every spec is fetched
    /// from Prism mocking the published specification, once as SoraPS saves it and once plainly. A body that is the
    /// kind of file its media type names is saved under that type's extension with the bytes as sent; anything else
    /// (a body that is not a picture or video, or not the type it was sent as) is refused and leaves no file. (Prism
    /// makes up a binary body as the text "string": what it sends is refused, naming the media type it was sent as;
    /// the saved case runs against the emulator's real pictures in RelayTests.)
    /// </summary>
    public sealed class FileTypeConformanceTests
    {
        private readonly ITestOutputHelper _output;
        public FileTypeConformanceTests(ITestOutputHelper output) { _output = output; }

        public static IEnumerable<object[]> Variants() => new[]
        {
            new object[] { "openai-videos.published.yaml", "OpenAI", "video" },
            new object[] { "openai-videos.published.yaml", "OpenAI", "thumbnail" },
            new object[] { "openai-videos.published.yaml", "OpenAI", "spritesheet" },
            new object[] { "azure-video-jobs.published.yaml", "AzureJobs", "video" },
            new object[] { "azure-video-jobs.published.yaml", "AzureJobs", "thumbnail" },
        };

        /// <summary>The extension the test expects for a media type (its own table, not SoraPS's).</summary>
        private static readonly Dictionary<string, (string Extension, Func<byte[], bool> Looks)> Expected = new Dictionary<string, (string, Func<byte[], bool>)>(StringComparer.OrdinalIgnoreCase)
        {
            ["video/mp4"] = (".mp4", b => b.Length >= 8 && b[4] == 'f' && b[5] == 't' && b[6] == 'y' && b[7] == 'p'),
            ["image/webp"] = (".webp", b => b.Length >= 12 && b[0] == 'R' && b[1] == 'I' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P'),
            ["image/jpeg"] = (".jpg", b => b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF),
            ["image/jpg"] = (".jpg", b => b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF),
            ["image/png"] = (".png", b => b.Length >= 4 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'),
        };

        [Theory]
        [MemberData(nameof(Variants))]
        public async Task The_saved_file_is_what_the_spec_server_sent(string spec, string dialect, string variant)
        {
            using (var prism = await PrismValidator.StartAsync(Locations.Spec(spec), errors: false))
            using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
            {
                var baseUri = prism.BaseUri;
                var profile = new SoraProfile { Name = "prism", Dialect = dialect, BaseUri = baseUri };
                var client = new SoraClient(profile, null, null, _ => new ApiCredential("conformance-key-0123456789", "test"));
                var task = new JournalEntry { Id = "video_123", Profile = "prism", Dialect = dialect, Status = SoraTaskStatus.Succeeded, GenerationId = "gen_123" }.ToTask();
                var kind = client.Dialect.Capabilities.Variant(variant, dialect);
                var uri = client.Dialect.GetDownloadUri(profile, task, variant);

                // What the spec server sends for this request.
                string type;
                byte[] sent;
                using (var http = new HttpClient())
                using (var request = new HttpRequestMessage(HttpMethod.Get, uri))
                {
                    request.Headers.Accept.ParseAdd(kind.IsVideo ? "video/mp4" : "image/*");
                    if (dialect == "AzureJobs") request.Headers.Add("api-key", "conformance-key-0123456789");
                    else request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "conformance-key-0123456789");
                    using (var response = await http.SendAsync(request, cancel.Token))
                    {
                        Assert.True(response.IsSuccessStatusCode, $"{uri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{prism.Output}");
                        type = response.Content.Headers.ContentType?.MediaType;
                        sent = await response.Content.ReadAsByteArrayAsync();
                    }
                }
                var whole = type != null && Expected.TryGetValue(type, out var e) && e.Looks(sent) && (e.Extension == ".mp4") == kind.IsVideo;
                _output.WriteLine($"{spec} {variant}: {uri} sent {type} ({sent.Length} bytes); expected {(whole ? "saved as " + Expected[type].Extension : "refused")}");

                var folder = Path.Combine(Path.GetTempPath(), "soraps-filetype-" + Guid.NewGuid().ToString("N").Substring(0, 8));
                Directory.CreateDirectory(folder);
                try
                {
                    var target = Path.Combine(folder, SavePolicy.FileName(task, kind));
                    var options = new DownloadOptions { Variant = kind.Name, VerifyMp4 = kind.IsVideo, NameFromContent = true };
                    if (whole)
                    {
                        var result = await client.DownloadAsync(task, target, options, null, cancel.Token);
                        Assert.Equal(Expected[type].Extension, Path.GetExtension(result.Path));
                        Assert.Equal(sent, File.ReadAllBytes(result.Path));
                        Assert.Equal(new[] { result.Path }, Directory.GetFiles(folder));
                    }
                    else
                    {
                        var error = await Assert.ThrowsAsync<SoraProtocolException>(() => client.DownloadAsync(task, target, options, null, cancel.Token));
                        _output.WriteLine("refused: " + error.Message);
                        if (type != null) Assert.Contains(type.ToLowerInvariant(), error.Message);
                        Assert.Empty(Directory.GetFiles(folder));
                    }
                }
                finally
                {
                    Directory.Delete(folder, true);
                }
            }
        }
    }
}
