using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace SoraPS.Conformance.Tests
{
    /// <summary>Checks shared by both dialects: every captured request against the spec, Accept on downloads, multipart parts.</summary>
    public static class Conformance
    {
        public static async Task AllConformAsync(CapturedTraffic traffic, ITestOutputHelper output)
        {
            Assert.NotEmpty(traffic.Exchanges);
            var failures = new List<string>();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            foreach (var e in traffic.Exchanges)
            {
                var violations = await traffic.Validator.ValidateAsync(e.Request);
                output.WriteLine($"{(violations.Count == 0 ? "ok  " : "FAIL")} {e}");
                if (violations.Count > 0)
                    failures.Add($"{e} ({traffic.Validator.SpecFile}):\n    " + string.Join("\n    ", violations) + "\n    body: " + Preview(e.Request.Body));
            }
            output.WriteLine($"{traffic.Exchanges.Count} requests: captured in {traffic.CaptureTime.TotalSeconds:0.0} s, validator ready at {traffic.ValidatorStartTime.TotalSeconds:0.0} s, validated in {watch.Elapsed.TotalSeconds:0.0} s");
            Assert.True(failures.Count == 0, $"{failures.Count} of {traffic.Exchanges.Count} requests do not conform to the published spec:\n" + string.Join("\n", failures) +
                (traffic.DriveError == null ? "" : "\n(and SoraPS's run against the emulator stopped early: " + traffic.DriveError.Message + ")"));
            Assert.True(traffic.DriveError == null, "SoraPS's run against the emulator stopped early, so not every operation was checked: " + traffic.DriveError);
        }

        /// <summary>Edit, extension, character create and get, file-id input and the oldest-first list (OpenAI shape).</summary>
        public static void RequireEditOperations(CapturedTraffic traffic)
        {
            RequireOperations(traffic,
                ("edit", "POST", "/v1/videos/edits"),
                ("extension", "POST", "/v1/videos/extensions"),
                ("character create (multipart)", "POST", "/v1/videos/characters"),
                ("character get", "GET", "/v1/videos/characters/[^/]+"),
                ("create (JSON, image file id)", "POST", "/v1/videos"),
                ("list (ascending)", "GET", "/v1/videos"));
            Assert.Contains(traffic.Exchanges, x => x.Purpose == "create (JSON, image file id)" && Encoding.UTF8.GetString(x.Request.Body).Contains("\"file_id\":\"file-abc123\""));
            Assert.Contains(traffic.Exchanges, x => x.Purpose == "list (ascending)" && (x.Request.Query ?? "").Contains("order=asc"));
            RequireQuotedMultipartNames(traffic, "character create (multipart)", "video");
        }

        public static void RequireOperations(CapturedTraffic traffic, params (string Purpose, string Method, string PathPattern)[] expected)
        {
            foreach (var (purpose, method, pattern) in expected)
                Assert.True(traffic.Exchanges.Any(x => x.Purpose == purpose && x.Request.Method == method && Regex.IsMatch(x.Request.Path, "^" + pattern + "$")),
                    $"No '{purpose}' request {method} {pattern} was captured. Captured:\n" + string.Join("\n", traffic.Exchanges));
        }

        /// <summary>Each content request names the media type it wants: <paramref name="wanted"/> must appear in its Accept header.</summary>
        public static void RequireAccept(CapturedTraffic traffic, string purpose, params string[] wanted)
        {
            var requests = traffic.Exchanges.Where(x => x.Purpose == purpose && x.Request.Method == "GET").ToList();
            Assert.NotEmpty(requests);
            foreach (var e in requests)
            {
                var accept = e.Request.Header("Accept");
                var types = (accept ?? "").Split(',').Select(t => t.Split(';')[0].Trim().ToLowerInvariant()).Where(t => t.Length > 0).ToList();
                Assert.True(types.Any(wanted.Contains), $"{e} sent Accept: {accept ?? "(none)"}; it should ask for {string.Join(" or ", wanted)}.");
            }
        }

        /// <summary>Every multipart part names itself with quoted name (and, for a file, a quoted filename, without filename*).</summary>
        public static void RequireQuotedMultipartNames(CapturedTraffic traffic, string purpose, string filePart)
        {
            var requests = traffic.Exchanges.Where(x => x.Purpose == purpose).ToList();
            Assert.NotEmpty(requests);
            foreach (var e in requests)
            {
                Assert.StartsWith("multipart/form-data", e.Request.Header("Content-Type") ?? "");
                var text = Encoding.UTF8.GetString(e.Request.Body ?? Array.Empty<byte>());
                var dispositions = Regex.Matches(text, @"^Content-Disposition:[^\r\n]*", RegexOptions.Multiline | RegexOptions.IgnoreCase).Select(m => m.Value).ToList();
                Assert.NotEmpty(dispositions);
                foreach (var d in dispositions)
                {
                    Assert.Matches(@";\s*name=""[^""]+""", d);
                    if (d.Contains("filename", StringComparison.OrdinalIgnoreCase))
                    {
                        Assert.Matches(@";\s*filename=""[^""]+""", d);
                        Assert.DoesNotContain("filename*", d); // RFC 7578 4.2: senders must not use the filename* form
                    }
                }
                Assert.Contains(dispositions, d => d.Contains($"name=\"{filePart}\"") && d.Contains("filename=\""));
            }
        }

        private static string Preview(byte[] body)
        {
            if (body == null || body.Length == 0) return "(none)";
            var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 600));
            return Regex.Replace(text, @"[^\x20-\x7e\r\n]", ".").Replace("\r\n", " | ");
        }
    }

    public sealed class OpenAIConformanceTests : IClassFixture<OpenAITraffic>
    {
        private readonly OpenAITraffic _traffic;
        private readonly ITestOutputHelper _output;

        public OpenAIConformanceTests(OpenAITraffic traffic, ITestOutputHelper output)
        {
            _traffic = traffic;
            _output = output;
        }

        [Fact]
        public Task EveryRequestConformsToTheOpenAISpec() => Conformance.AllConformAsync(_traffic, _output);

        [Fact]
        public void EveryOperationSoraPSUsesWasExercised()
        {
            Conformance.RequireOperations(_traffic,
                ("create (JSON)", "POST", "/v1/videos"),
                ("create (multipart, local image)", "POST", "/v1/videos"),
                ("create (JSON, image URL)", "POST", "/v1/videos"),
                ("get (poll)", "GET", "/v1/videos/[^/]+"),
                ("remix", "POST", "/v1/videos/[^/]+/remix"),
                ("list (paged)", "GET", "/v1/videos"),
                ("content video", "GET", "/v1/videos/[^/]+/content"),
                ("content thumbnail", "GET", "/v1/videos/[^/]+/content"),
                ("content spritesheet", "GET", "/v1/videos/[^/]+/content"),
                ("delete", "DELETE", "/v1/videos/[^/]+"));
            Conformance.RequireEditOperations(_traffic);
            Assert.Contains(_traffic.Exchanges, x => x.Purpose == "list (paged)" && (x.Request.Query ?? "").Contains("after="));
            Assert.Contains(_traffic.Exchanges, x => x.Purpose == "create (JSON, image URL)" && Encoding.UTF8.GetString(x.Request.Body).Contains("\"image_url\""));
            Assert.Contains(_traffic.Exchanges, x => x.Purpose == "content thumbnail" && x.Request.Query == "?variant=thumbnail");
            Assert.Contains(_traffic.Exchanges, x => x.Purpose == "content spritesheet" && x.Request.Query == "?variant=spritesheet");
        }

        [Fact]
        public void ContentRequestsAskForTheVariantsMediaType()
        {
            Conformance.RequireAccept(_traffic, "content video", "video/mp4");
            Conformance.RequireAccept(_traffic, "content thumbnail", "image/*", "image/webp");
            Conformance.RequireAccept(_traffic, "content spritesheet", "image/*", "image/webp");
        }

        [Fact]
        public void MultipartPartsCarryQuotedNamesAndFilename() =>
            Conformance.RequireQuotedMultipartNames(_traffic, "create (multipart, local image)", "input_reference");
    }

    public sealed class AzureJobsConformanceTests : IClassFixture<AzureJobsTraffic>
    {
        private readonly AzureJobsTraffic _traffic;
        private readonly ITestOutputHelper _output;

        public AzureJobsConformanceTests(AzureJobsTraffic traffic, ITestOutputHelper output)
        {
            _traffic = traffic;
            _output = output;
        }

        [Fact]
        public Task EveryRequestConformsToTheAzureSpec() => Conformance.AllConformAsync(_traffic, _output);

        [Fact]
        public void EveryOperationSoraPSUsesWasExercised()
        {
            Conformance.RequireOperations(_traffic,
                ("create (JSON)", "POST", "/openai/v1/video/generations/jobs"),
                ("get (poll)", "GET", "/openai/v1/video/generations/jobs/[^/]+"),
                ("list (paged)", "GET", "/openai/v1/video/generations/jobs"),
                ("content video", "GET", "/openai/v1/video/generations/[^/]+/content/video"),
                ("content thumbnail", "GET", "/openai/v1/video/generations/[^/]+/content/thumbnail"),
                ("delete", "DELETE", "/openai/v1/video/generations/jobs/[^/]+"));
            Assert.Contains(_traffic.Exchanges, x => x.Purpose == "list (paged)" && (x.Request.Query ?? "").Contains("after="));
        }

        [Fact]
        public void ContentRequestsAskForTheVariantsMediaType()
        {
            Conformance.RequireAccept(_traffic, "content video", "video/mp4");
            Conformance.RequireAccept(_traffic, "content thumbnail", "image/*", "image/jpeg", "image/jpg");
        }
    }

    public sealed class AzureOpenAIConformanceTests : IClassFixture<AzureOpenAITraffic>
    {
        private readonly AzureOpenAITraffic _traffic;
        private readonly ITestOutputHelper _output;

        public AzureOpenAIConformanceTests(AzureOpenAITraffic traffic, ITestOutputHelper output)
        {
            _traffic = traffic;
            _output = output;
        }

        [Fact]
        public Task EveryRequestConformsToTheOpenAISpec() => Conformance.AllConformAsync(_traffic, _output);

        [Fact]
        public void EveryOperationSoraPSUsesWasExercised()
        {
            Conformance.RequireOperations(_traffic,
                ("create (JSON)", "POST", "/v1/videos"),
                ("get (poll)", "GET", "/v1/videos/[^/]+"),
                ("remix", "POST", "/v1/videos/[^/]+/remix"),
                ("list (paged)", "GET", "/v1/videos"),
                ("content video", "GET", "/v1/videos/[^/]+/content"),
                ("content thumbnail", "GET", "/v1/videos/[^/]+/content"),
                ("delete", "DELETE", "/v1/videos/[^/]+"));
            Conformance.RequireEditOperations(_traffic);
            Assert.Contains(_traffic.Exchanges, x => x.Purpose == "list (paged)" && (x.Request.Query ?? "").Contains("after="));
            Assert.Contains(_traffic.Exchanges, x => x.Purpose == "create (JSON)" && Encoding.UTF8.GetString(x.Request.Body).Contains("\"model\":\"my-sora\""));
            Assert.Contains(_traffic.Exchanges, x => x.Purpose == "content thumbnail" && x.Request.Query == "?variant=thumbnail");
        }

        [Fact]
        public void ContentRequestsAskForTheVariantsMediaType()
        {
            Conformance.RequireAccept(_traffic, "content video", "video/mp4");
            Conformance.RequireAccept(_traffic, "content thumbnail", "image/*", "image/webp");
        }
    }

    public sealed class OpenRouterConformanceTests : IClassFixture<OpenRouterTraffic>
    {
        private readonly OpenRouterTraffic _traffic;
        private readonly ITestOutputHelper _output;

        public OpenRouterConformanceTests(OpenRouterTraffic traffic, ITestOutputHelper output)
        {
            _traffic = traffic;
            _output = output;
        }

        [Fact]
        public Task EveryRequestConformsToTheOpenRouterSpec() => Conformance.AllConformAsync(_traffic, _output);

        [Fact]
        public void EveryOperationSoraPSUsesWasExercised()
        {
            Conformance.RequireOperations(_traffic,
                ("create (JSON)", "POST", "/api/v1/videos"),
                ("create (frames, references, options)", "POST", "/api/v1/videos"),
                ("create (refused: credits)", "POST", "/api/v1/videos"),
                ("get (poll)", "GET", "/api/v1/videos/[^/]+"),
                ("content video", "GET", "/api/v1/videos/[^/]+/content"),
                ("models (list)", "GET", "/api/v1/videos/models"));
            var rich = Encoding.UTF8.GetString(_traffic.Exchanges.Single(x => x.Purpose == "create (frames, references, options)").Request.Body);
            Assert.Contains("\"frame_type\":\"last_frame\"", rich);
            Assert.Contains("\"input_references\"", rich);
            Assert.Contains("data:image/png;base64,", rich);
            Assert.Contains(_traffic.Exchanges, x => x.Purpose == "content video" && x.Request.Query == "?index=1");
        }

        [Fact]
        public void ContentRequestsAskForTheVariantsMediaType() => Conformance.RequireAccept(_traffic, "content video", "video/mp4");
    }
}
