using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core;
using SoraPS.Core.Downloads;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using SoraPS.Emulator;
using Xunit;

namespace SoraPS.Conformance.Tests
{
    internal static class Isolation
    {
        /// <summary>A private config folder for the whole process, before any SoraPS code runs.</summary>
        [ModuleInitializer]
        internal static void Isolate()
        {
            var home = Path.Combine(Path.GetTempPath(), "soraps-conformance-" + Guid.NewGuid().ToString("N")[..10]);
            Directory.CreateDirectory(home);
            Environment.SetEnvironmentVariable("SORAPS_CONFIG_HOME", home);
            Environment.SetEnvironmentVariable("SORAPS_PROFILE", null);
            Environment.SetEnvironmentVariable("SORAPS_API_KEY", null);
            AppDomain.CurrentDomain.ProcessExit += (s, e) => { try { Directory.Delete(home, true); } catch (IOException) { } catch (UnauthorizedAccessException) { } };
        }
    }

    /// <summary>One request SoraPS sent, what it was sent for, and what went over the wire.</summary>
    public sealed class Exchange
    {
        public Exchange(string purpose, WireRequest request)
        {
            Purpose = purpose;
            Request = request;
        }

        public string Purpose { get; }
        public WireRequest Request { get; }
        public override string ToString() => $"{Purpose}: {Request}";
    }

    /// <summary>
    /// Drives SoraPS through every operation it uses for one dialect against the emulator on 127.0.0.1, and keeps the
    /// requests as the emulator received them (path without the emulator's dialect prefix, headers, body bytes).
    /// </summary>
    public abstract class CapturedTraffic : IAsyncLifetime
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
        private readonly List<Exchange> _exchanges = new List<Exchange>();
        private SoraEmulator _emulator;
        private string _folder;

        protected abstract string Dialect { get; }
        protected abstract string SpecFile { get; }
        protected abstract Task DriveAsync(SoraClient client, string folder, CancellationToken cancel);
        /// <summary>The emulator's path prefix for the dialect, removed from each captured path.</summary>
        protected virtual string Prefix => "/" + SoraEmulator.PrefixOf(Dialect);
        /// <summary>The profile SoraPS uses, before it is validated (aliases, settings).</summary>
        protected virtual void Configure(SoraProfile profile) { }
        /// <summary>A captured request as the published spec describes it (a host of the same shape maps its differences here).</summary>
        protected virtual WireRequest ToSpec(WireRequest request) => request;
        private string _prefix;
        private int _seen;

        /// <summary>Runs one SoraPS operation and labels the requests it sent with <paramref name="purpose"/> (also when it fails).</summary>
        protected async Task<T> Do<T>(string purpose, Func<Task<T>> action)
        {
            try
            {
                return await action();
            }
            finally
            {
                var all = _emulator.State.Requests;
                foreach (var r in all.Skip(_seen).Where(r => r.Path.StartsWith(_prefix + "/", StringComparison.Ordinal)))
                    _exchanges.Add(new Exchange(purpose, ToSpec(new WireRequest
                    {
                        Method = r.Method,
                        Path = r.Path.Substring(_prefix.Length),
                        Query = r.Query,
                        Headers = new Dictionary<string, string>(r.Headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase),
                        Body = r.RawBody,
                    })));
                _seen = all.Count;
            }
        }

        protected Task Do(string purpose, Func<Task> action) => Do(purpose, async () => { await action(); return true; });

        public IReadOnlyList<Exchange> Exchanges => _exchanges;
        public PrismValidator Validator { get; private set; }
        public TimeSpan CaptureTime { get; private set; }
        public TimeSpan ValidatorStartTime { get; private set; }
        /// <summary>What stopped the drive early (the emulator refused a request, …), or null.</summary>
        public Exception DriveError { get; private set; }

        public async Task InitializeAsync()
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var spec = Locations.Spec(SpecFile);
            var validator = PrismValidator.StartAsync(spec);
            try
            {
                await CaptureAsync();
                CaptureTime = watch.Elapsed;
                Validator = await validator;
                ValidatorStartTime = watch.Elapsed;
            }
            catch
            {
                // xunit does not dispose a fixture whose start failed: stop what was started here.
                try { (await validator).Dispose(); } catch (Exception) { }
                await DisposeAsync();
                throw;
            }
        }

        private async Task CaptureAsync()
        {
            _folder = Path.Combine(Path.GetTempPath(), "soraps-conformance-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(_folder);
            _emulator = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromMilliseconds(800) });
            var profile = new SoraProfile { Name = "conformance", Dialect = Dialect, BaseUri = _emulator.DialectBase(Dialect) };
            Configure(profile);
            ProfileStore.Validate(profile);
            var client = new SoraClient(profile, null, new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200), MaxAttempts = 2 },
                _ => new ApiCredential(_emulator.Options.ApiKey, "test"));
            _prefix = Prefix;
            using (var cancel = new CancellationTokenSource(Deadline))
            {
                try
                {
                    await DriveAsync(client, _folder, cancel.Token);
                }
                catch (Exception e)
                {
                    // The requests sent so far are still validated; the conformance test reports this too.
                    DriveError = e;
                }
            }
        }

        public async Task DisposeAsync()
        {
            Validator?.Dispose();
            if (_emulator != null) await _emulator.DisposeAsync();
            _emulator = null;
            try { if (_folder != null) Directory.Delete(_folder, true); } catch (IOException) { }
        }

        /// <summary>Polls until the task has finished (every 150 ms, within the deadline).</summary>
        protected static async Task<SoraTask> FinishAsync(SoraClient client, SoraTask task, CancellationToken cancel)
        {
            while (task.Status != SoraTaskStatus.Succeeded)
            {
                Assert.True(task.Status != SoraTaskStatus.Failed && task.Status != SoraTaskStatus.Cancelled, $"Task {task.Id} ended {task.Status}.");
                await Task.Delay(150, cancel);
                task = await client.RefreshAsync(task, cancel);
            }
            return task;
        }

        /// <summary>
        /// The OpenAI shape's edit, extension, character (create with a video upload, then get), file-id input and
        /// oldest-first list, on a finished <paramref name="source"/>.
        /// </summary>
        protected static async Task DriveEditsAsync(CapturedTraffic t, SoraClient client, SoraTask source, string model, string folder, CancellationToken cancel)
        {
            await t.Do("edit", () => SubmitAsync(client, new VideoRequest { Prompt = "Make it snow", Model = model, EditOf = source.Id, SourceDuration = source.Duration }, cancel));
            await t.Do("extension", () => SubmitAsync(client, new VideoRequest { Prompt = "The camera rises over the trees", Model = model, ExtendOf = source.Id, Duration = 8 }, cancel));
            var clip = Path.Combine(folder, "character clip.mp4");
            await t.Do("content video", () => client.DownloadAsync(source, clip, new DownloadOptions { Overwrite = true }, null, cancel));
            var character = await t.Do("character create (multipart)", () => client.CreateCharacterAsync(clip, "Mia the fox", cancel));
            await t.Do("character get", () => client.GetCharacterAsync(character.Id, cancel));
            await t.Do("create (JSON, image file id)", () => SubmitAsync(client, new VideoRequest { Prompt = "Animate the uploaded frame", Model = model, Duration = 4, ImageFileId = "file-abc123" }, cancel));
            await t.Do("list (ascending)", () => client.ListAsync(2, true, cancel));
        }

        protected static Task<SoraTask> SubmitAsync(SoraClient client, VideoRequest request, CancellationToken cancel) =>
            client.SubmitAsync(client.Validate(request), cancel);

        protected static Task SaveAsync(SoraClient client, SoraTask task, string folder, string variant, CancellationToken cancel) =>
            client.DownloadAsync(task, Path.Combine(folder, task.Id + "." + variant), new DownloadOptions { Variant = variant, VerifyMp4 = variant == "video", Overwrite = true }, null, cancel);
    }

    /// <summary>OpenAI: create (JSON, multipart with a local image, JSON with an image URL), poll, remix, list with paging, every content variant, delete.</summary>
    public sealed class OpenAITraffic : CapturedTraffic
    {
        public const string ImageUrl = "https://images.example.com/frame.png";
        protected override string Dialect => "OpenAI";
        protected override string SpecFile => "openai-videos.published.yaml";

        protected override async Task DriveAsync(SoraClient client, string folder, CancellationToken cancel)
        {
            var first = await Do("create (JSON)", () => SubmitAsync(client, new VideoRequest { Prompt = "A red fox trotting across fresh snow", Model = "sora-2-pro", Duration = 8, AspectRatio = "16:9", Resolution = "1024p" }, cancel));
            var image = Path.Combine(folder, "frame.png");
            File.WriteAllBytes(image, Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="));
            await Do("create (multipart, local image)", () => SubmitAsync(client, new VideoRequest { Prompt = "Animate this frame", Duration = 4, Image = image }, cancel));
            await Do("create (JSON, image URL)", () => SubmitAsync(client, new VideoRequest { Prompt = "Animate the linked frame", Duration = 12, AspectRatio = "9:16", Image = ImageUrl }, cancel));
            first = await Do("get (poll)", () => FinishAsync(client, first, cancel));
            var remix = await Do("remix", () => SubmitAsync(client, new VideoRequest { Prompt = "The fox in autumn leaves", RemixOf = first.Id }, cancel));
            await DriveEditsAsync(this, client, first, null, folder, cancel);
            client.ListPageSize = 2;
            var listed = await Do("list (paged)", () => client.ListAsync(4, cancel));
            Assert.True(listed.Count >= 3, $"The list returned {listed.Count} tasks; paging needs at least 3.");
            foreach (var variant in new[] { "video", "thumbnail", "spritesheet" })
                await Do("content " + variant, () => SaveAsync(client, first, folder, variant, cancel));
            await Do("delete", () => client.DeleteAsync(remix, cancel));
        }
    }

    /// <summary>AzureJobs: create, poll, list, content video and thumbnail, delete.</summary>
    public sealed class AzureJobsTraffic : CapturedTraffic
    {
        protected override string Dialect => "AzureJobs";
        protected override string SpecFile => "azure-video-jobs.published.yaml";

        protected override async Task DriveAsync(SoraClient client, string folder, CancellationToken cancel)
        {
            var job = await Do("create (JSON)", () => SubmitAsync(client, new VideoRequest { Prompt = "Waves on a rocky shore", Duration = 5, AspectRatio = "16:9", Resolution = "720p" }, cancel));
            await Do("create (JSON)", () => SubmitAsync(client, new VideoRequest { Prompt = "A lighthouse at night", Duration = 10, AspectRatio = "1:1", Resolution = "480p" }, cancel));
            job = await Do("get (poll)", () => FinishAsync(client, job, cancel));
            client.ListPageSize = 1;
            await Do("list (paged)", () => client.ListAsync(2, cancel));
            foreach (var variant in new[] { "video", "thumbnail" })
                await Do("content " + variant, () => SaveAsync(client, job, folder, variant, cancel));
            await Do("delete", () => client.DeleteAsync(job, cancel));
        }
    }

    /// <summary>
    /// AzureOpenAI (Sora 2 on Azure OpenAI's v1 API): create through a deployment name, poll, remix, list with paging,
    /// video and thumbnail, delete. It is the OpenAI Videos shape with two differences, mapped here so the OpenAI
    /// spec validates the rest of each request: the API lives below <c>/openai</c> (<c>/openai/v1/videos</c>, the
    /// prefix is checked and removed), and the key travels in <c>api-key</c> instead of a Bearer token (the request
    /// must carry <c>api-key</c> and no Authorization; it is presented to the spec as its Bearer credential).
    /// </summary>
    public sealed class AzureOpenAITraffic : CapturedTraffic
    {
        protected override string Dialect => "AzureOpenAI";
        protected override string SpecFile => "openai-videos.published.yaml";
        protected override string Prefix => "/azureopenai";

        protected override void Configure(SoraProfile profile) =>
            profile.ModelAlias = new Dictionary<string, string> { ["my-sora"] = "sora-2" };

        protected override WireRequest ToSpec(WireRequest request)
        {
            Assert.StartsWith("/openai/v1/", request.Path);
            Assert.True(request.Headers.ContainsKey("api-key"), $"{request} carries no api-key header.");
            Assert.False(request.Headers.ContainsKey("Authorization"), $"{request} carries an Authorization header; Azure OpenAI takes the key in api-key.");
            var headers = new Dictionary<string, string>(request.Headers, StringComparer.OrdinalIgnoreCase);
            headers["Authorization"] = "Bearer " + headers["api-key"];
            headers.Remove("api-key");
            return new WireRequest { Method = request.Method, Path = request.Path.Substring("/openai".Length), Query = request.Query, Headers = headers, Body = request.Body };
        }

        protected override async Task DriveAsync(SoraClient client, string folder, CancellationToken cancel)
        {
            var first = await Do("create (JSON)", () => SubmitAsync(client, new VideoRequest { Prompt = "A heron in the reeds", Model = "my-sora", Duration = 8, AspectRatio = "16:9" }, cancel));
            await Do("create (JSON)", () => SubmitAsync(client, new VideoRequest { Prompt = "Rain on a tin roof", Model = "my-sora", Duration = 4 }, cancel));
            first = await Do("get (poll)", () => FinishAsync(client, first, cancel));
            var remix = await Do("remix", () => SubmitAsync(client, new VideoRequest { Prompt = "The heron at dusk", RemixOf = first.Id }, cancel));
            await DriveEditsAsync(this, client, first, "my-sora", folder, cancel);
            client.ListPageSize = 2;
            var listed = await Do("list (paged)", () => client.ListAsync(3, cancel));
            Assert.True(listed.Count >= 3, $"The list returned {listed.Count} tasks; paging needs at least 3.");
            foreach (var variant in new[] { "video", "thumbnail" })
                await Do("content " + variant, () => SaveAsync(client, first, folder, variant, cancel));
            await Do("delete", () => client.DeleteAsync(remix, cancel));
        }
    }

    /// <summary>
    /// OpenRouter: create (JSON: durations, frames, a local image as a data URL, references, typed options, a callback),
    /// a creation refused for credits (402), poll, the content download of each output with the key, and the model list.
    /// </summary>
    public sealed class OpenRouterTraffic : CapturedTraffic
    {
        protected override string Dialect => "OpenRouter";
        protected override string SpecFile => "openrouter-videos.published.yaml";

        protected override void Configure(SoraProfile profile) =>
            profile.Settings = new Dictionary<string, string> { ["PollIntervalSec"] = "0.1" };

        protected override async Task DriveAsync(SoraClient client, string folder, CancellationToken cancel)
        {
            // Update-SoraModel's read: the model list, through the same pipeline.
            var models = await Do("models (list)", () => SoraPS.Core.Catalog.ProviderModels.ReadAsync(client, cancel));
            Assert.Contains(models, m => m.Name == "google/veo-3.1");
            var image = Path.Combine(folder, "last.png");
            File.WriteAllBytes(image, Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="));
            var first = await Do("create (JSON)", () => SubmitAsync(client, new VideoRequest { Prompt = "Waves on a rocky shore [outputs:2]", Model = "google/veo-3.1", Duration = 8, AspectRatio = "16:9", Resolution = "1080p" }, cancel));
            await Do("create (frames, references, options)", () => SubmitAsync(client, new VideoRequest
            {
                Prompt = "A lighthouse at night", Model = "google/veo-3.1-fast", Duration = 4, AspectRatio = "9:16", Resolution = "720p",
                Image = "https://images.example.com/first.png", LastFrame = image, ReferenceImages = new[] { "https://images.example.com/style.png", image },
                CallbackUri = new Uri("https://hooks.example.com/video"),
                ProviderOptions = new Dictionary<string, object>
                {
                    ["generate_audio"] = false, ["seed"] = 7,
                    ["provider"] = new Dictionary<string, object> { ["options"] = new Dictionary<string, object> { ["google-vertex"] = new Dictionary<string, object> { ["enhance_prompt"] = false } } },
                },
            }, cancel));
            await Do("create (refused: credits)", async () =>
            {
                var e = await Assert.ThrowsAsync<SoraApiException>(() => SubmitAsync(client, new VideoRequest { Prompt = "No credits left [quota]", Model = "google/veo-3.1", Duration = 4 }, cancel));
                Assert.Equal("QuotaExceeded", e.ErrorId);
            });
            first = await Do("get (poll)", () => FinishAsync(client, first, cancel));
            Assert.Equal(2, first.VideoUris.Length);
            for (var i = 0; i < first.VideoUris.Length; i++)
            {
                var output = i;
                await Do("content video", () => client.DownloadAsync(first, Path.Combine(folder, first.Id + "-" + output + ".mp4"), new DownloadOptions { Output = output, Overwrite = true }, null, cancel));
            }
        }
    }
}
