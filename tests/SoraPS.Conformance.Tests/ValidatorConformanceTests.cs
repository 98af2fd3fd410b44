using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace SoraPS.Conformance.Tests
{
    public sealed class Validators : IAsyncLifetime
    {
        public PrismValidator OpenAI { get; private set; }
        public PrismValidator Azure { get; private set; }

        public async Task InitializeAsync()
        {
            var openai = PrismValidator.StartAsync(Locations.Spec("openai-videos.published.yaml"));
            var azure = PrismValidator.StartAsync(Locations.Spec("azure-video-jobs.published.yaml"));
            try
            {
                OpenAI = await openai;
                Azure = await azure;
            }
            catch
            {
                // xunit does not dispose a fixture whose start failed.
                try { (await openai).Dispose(); } catch (Exception) { }
                try { (await azure).Dispose(); } catch (Exception) { }
                throw;
            }
        }

        public Task DisposeAsync()
        {
            OpenAI?.Dispose();
            Azure?.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>The validator itself: it accepts a request the spec allows and rejects known-bad ones, so the harness cannot pass everything.</summary>
    public sealed class ValidatorConformanceTests : IClassFixture<Validators>
    {
        private readonly Validators _v;

        public ValidatorConformanceTests(Validators v) => _v = v;

        private static WireRequest Json(string method, string path, string json, string auth = "Bearer redacted", string query = null)
        {
            var r = new WireRequest { Method = method, Path = path, Query = query };
            if (auth != null) r.Headers[auth.StartsWith("Bearer", StringComparison.Ordinal) ? "Authorization" : "api-key"] = auth;
            if (json != null)
            {
                r.Body = Encoding.UTF8.GetBytes(json);
                r.Headers["Content-Type"] = "application/json; charset=utf-8";
            }
            return r;
        }

        private static WireRequest Multipart(params (string Name, string FileName, string Value)[] parts)
        {
            const string boundary = "conformance-boundary";
            var sb = new StringBuilder();
            foreach (var (name, file, value) in parts)
            {
                sb.Append("--").Append(boundary).Append("\r\n");
                sb.Append("Content-Disposition: form-data; name=\"").Append(name).Append('"');
                if (file != null) sb.Append("; filename=\"").Append(file).Append("\"\r\nContent-Type: image/png");
                sb.Append("\r\n\r\n").Append(value).Append("\r\n");
            }
            sb.Append("--").Append(boundary).Append("--\r\n");
            var r = new WireRequest { Method = "POST", Path = "/v1/videos", Body = Encoding.UTF8.GetBytes(sb.ToString()) };
            r.Headers["Authorization"] = "Bearer redacted";
            r.Headers["Content-Type"] = "multipart/form-data; boundary=\"" + boundary + "\"";
            return r;
        }

        private static string Describe(IReadOnlyList<Violation> v) => v.Count == 0 ? "(no violation)" : string.Join("; ", v);

        [Fact]
        public async Task AcceptsRequestsTheSpecAllows()
        {
            Assert.Empty(await _v.OpenAI.ValidateAsync(Json("POST", "/v1/videos", "{\"model\":\"sora-2\",\"prompt\":\"p\",\"seconds\":\"8\",\"size\":\"1280x720\",\"input_reference\":{\"image_url\":\"https://a.example/x.png\"}}")));
            Assert.Empty(await _v.OpenAI.ValidateAsync(Multipart(("prompt", null, "p"), ("seconds", null, "4"), ("input_reference", "a.png", "PNG"))));
            Assert.Empty(await _v.OpenAI.ValidateAsync(Json("GET", "/v1/videos", null, query: "?limit=2&order=desc&after=video_1")));
            Assert.Empty(await _v.Azure.ValidateAsync(Json("POST", "/openai/v1/video/generations/jobs", "{\"model\":\"sora\",\"prompt\":\"p\",\"n_seconds\":5,\"width\":1280,\"height\":720}", "redacted", "?api-version=preview")));
        }

        [Theory]
        [InlineData("{\"prompt\":\"p\",\"seconds\":8}", "body.seconds")]              // a number where the spec wants a string
        [InlineData("{\"prompt\":\"p\",\"second\":\"8\"}", "body")]                    // a misspelt field
        [InlineData("{\"prompt\":\"p\",\"seconds\":\"9\"}", "body.seconds")]           // not in the enum
        [InlineData("{\"prompt\":\"p\",\"size\":\"1280*720\"}", "body.size")]
        [InlineData("{\"seconds\":\"8\"}", "body")]                                    // prompt is required
        [InlineData("{\"prompt\":\"p\",\"input_reference\":{\"url\":\"https://a.example/x.png\"}}", "body.input_reference")]
        public async Task RejectsBadOpenAICreateBodies(string json, string location)
        {
            var v = await _v.OpenAI.ValidateAsync(Json("POST", "/v1/videos", json));
            Assert.True(v.Any(x => x.Location.StartsWith(location, StringComparison.Ordinal)), $"{json}: expected a violation at {location}, got {Describe(v)}");
        }

        [Fact]
        public async Task RejectsBadMultipartQueryPathAndAuth()
        {
            Assert.NotEmpty(await _v.OpenAI.ValidateAsync(Multipart(("prompt", null, "p"), ("seconds", null, "9"))));
            Assert.NotEmpty(await _v.OpenAI.ValidateAsync(Multipart(("prompt", null, "p"), ("duration", null, "4"))));
            var unquoted = Multipart(("prompt", null, "p"), ("input_reference", "a.png", "PNG"));
            unquoted.Body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(unquoted.Body).Replace("filename=\"a.png\"", "filename=a.png"));
            Assert.NotEmpty(await _v.OpenAI.ValidateAsync(unquoted));
            Assert.Empty(await _v.OpenAI.ValidateAsync(Json("GET", "/v1/videos/video_1", null)));   // and Prism is back for the next request
            Assert.NotEmpty(await _v.OpenAI.ValidateAsync(Json("GET", "/v1/videos", null, query: "?limit=1000")));
            Assert.NotEmpty(await _v.OpenAI.ValidateAsync(Json("GET", "/v1/videos/video_1/content", null, query: "?variant=poster")));
            Assert.NotEmpty(await _v.OpenAI.ValidateAsync(Json("GET", "/v1/video/video_1", null)));
            Assert.NotEmpty(await _v.OpenAI.ValidateAsync(Json("GET", "/v1/videos/video_1", null, auth: null)));
            Assert.NotEmpty(await _v.OpenAI.ValidateAsync(Json("PUT", "/v1/videos/video_1", "{}")));
        }

        [Fact]
        public async Task RejectsBadAzureRequests()
        {
            const string jobs = "/openai/v1/video/generations/jobs";
            var v = await _v.Azure.ValidateAsync(Json("POST", jobs, "{\"model\":\"sora\",\"prompt\":\"p\",\"n_seconds\":\"5\",\"width\":1280,\"height\":720}", "redacted"));
            Assert.True(v.Any(x => x.Location == "body.n_seconds" && x.Message.Contains("integer")), Describe(v));
            Assert.NotEmpty(await _v.Azure.ValidateAsync(Json("POST", jobs, "{\"model\":\"sora\",\"prompt\":\"p\",\"seconds\":5,\"width\":1280,\"height\":720}", "redacted")));
            Assert.NotEmpty(await _v.Azure.ValidateAsync(Json("POST", jobs, "{\"prompt\":\"p\",\"width\":1280,\"height\":720}", "redacted")));
            Assert.NotEmpty(await _v.Azure.ValidateAsync(Json("GET", jobs, null, "redacted", "?api-version=preview")));            // limit is required
            Assert.NotEmpty(await _v.Azure.ValidateAsync(Json("GET", jobs, null, "redacted", "?api-version=2024-01-01&limit=1")));
            Assert.NotEmpty(await _v.Azure.ValidateAsync(Json("GET", "/openai/v1/video/generations/g1/content/video", null, "redacted", "?quality=best")));
        }
    }
}
