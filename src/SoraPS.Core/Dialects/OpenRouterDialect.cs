using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// OpenRouter's asynchronous video API (one key, many providers' video models), as its published OpenAPI document
    /// describes it: <c>POST /api/v1/videos</c> answered 202 with <c>{id, polling_url, status}</c>; the job at
    /// <c>GET /api/v1/videos/{jobId}</c> (status pending, in_progress, completed, failed, cancelled, expired; <c>error</c>
    /// a string; <c>usage.cost</c> in US dollars); each output at <c>GET /api/v1/videos/{jobId}/content?index=N</c>
    /// with the key, or at a signed link in <c>urls[]</c> (the documentation's, not the schema's) without it; the
    /// model list at <c>GET /api/v1/videos/models</c>. Errors are <c>{error:{code (an integer), message}}</c>.
    /// </summary>
    public sealed class OpenRouterDialect : SoraDialect
    {
        /// <summary>
        /// How often a job is polled when the provider gives no hint. OpenRouter's documentation advises every 10 to
        /// 30 s; SoraPS takes the short end so a finished video is seen at most 10 s late.
        /// </summary>
        public static readonly SettingDeclaration PollIntervalSec = new SettingDeclaration("PollIntervalSec", SettingType.Seconds, "10",
            "Seconds between two polls of a job (OpenRouter advises 10 to 30).");

        /// <summary>The largest local image sent inline as a data URL; a bigger one must be given as a URL.</summary>
        public const long MaxInlineImageBytes = 20L * 1024 * 1024;

        private static readonly StatusTable Words = new StatusTable
        {
            { SoraTaskStatus.Queued, "pending" },
            { SoraTaskStatus.Running, "in_progress" },
            { SoraTaskStatus.Succeeded, "completed" },
            { SoraTaskStatus.Failed, "failed" },
            { SoraTaskStatus.Cancelled, "cancelled" },
            { SoraTaskStatus.Expired, "expired" },
        };

        private static readonly DialectCapabilities Can = new DialectCapabilities(
            DialectOperation.Query | DialectOperation.Callback | DialectOperation.LastFrame | DialectOperation.ReferenceImages);

        private static readonly ProviderOption[] Options =
        {
            new ProviderOption("generate_audio", ProviderOptionType.Boolean, "Generate audio with the video (models whose generate_audio capability is true)."),
            new ProviderOption("seed", ProviderOptionType.Integer, "Sample deterministically where the provider supports it."),
            new ProviderOption("provider", ProviderOptionType.Object, "Provider passthrough: @{ options = @{ 'google-vertex' = @{ ... } } }."),
        };

        private static readonly string[] BothFrames = { "first_frame", "last_frame" };

        /// <summary>
        /// Google's Veo 3.1 models as Google documents them (4, 6 or 8 s; 720p or 1080p; 16:9 or 9:16; first and last frame).
        /// Unpriced: OpenRouter bills per second by resolution and audio, which its model list (GET /api/v1/videos/models) states.
        /// </summary>
        private static readonly ModelSpec[] Table =
        {
            new ModelSpec("google/veo-3.1", new[] { 4, 6, 8 }, 8, new[] { "16:9", "9:16" }, "16:9", new[] { "720p", "1080p" }, "720p", 32000, ImageInput.UrlOrFile)
                { FrameImages = BothFrames, MaxImages = 1 },
            new ModelSpec("google/veo-3.1-fast", new[] { 4, 6, 8 }, 8, new[] { "16:9", "9:16" }, "16:9", new[] { "720p", "1080p" }, "720p", 32000, ImageInput.UrlOrFile)
                { FrameImages = BothFrames, MaxImages = 1 },
        };

        public override string Name => "OpenRouter";
        public override string Description => "OpenRouter video API: POST /api/v1/videos, GET /api/v1/videos/{jobId}, /content?index=N, /videos/models";
        public override IReadOnlyList<ModelSpec> Models => Table;
        public override StatusTable Statuses => Words;
        public override DialectCapabilities Capabilities => Can;
        public override IReadOnlyList<ProviderOption> ProviderOptions => Options;

        private static readonly SentField[] Sent =
        {
            SentField.Model(), SentField.Duration(), SentField.Resolution(), SentField.AspectRatio(),
            SentField.Derived("size", "-Resolution and -AspectRatio"),
        };

        public override IReadOnlyList<SentField> SentFields => Sent;
        protected override IEnumerable<SettingDeclaration> OwnSettings => new[] { PollIntervalSec };

        /// <summary>
        /// An endpoint below <c>/api/v1</c>: a BaseUri of <c>https://openrouter.ai</c>, <c>…/api</c> or <c>…/api/v1</c> all work.
        /// </summary>
        public static Uri Api(Uri? baseUri, string path)
        {
            if (baseUri == null) throw new ArgumentNullException(nameof(baseUri), "The profile has no BaseUri.");
            var b = baseUri.AbsoluteUri.TrimEnd('/');
            var prefix = b.EndsWith("/api/v1", StringComparison.OrdinalIgnoreCase) ? "" : b.EndsWith("/api", StringComparison.OrdinalIgnoreCase) ? "/v1" : "/api/v1";
            return new Uri(b + prefix + "/" + path.TrimStart('/'));
        }

        /// <summary>OpenRouter lists the video models an account can use: <c>GET /api/v1/videos/models</c>.</summary>
        public override bool HasModelList => true;

        public override HttpRequestMessage BuildModelList(SoraProfile profile) => new HttpRequestMessage(HttpMethod.Get, Api(profile?.BaseUri, "videos/models"));

        public override IReadOnlyList<Catalog.UserModel> ParseModelList(ProviderResponse response, SoraProfile profile) => OpenRouterModelList.Parse(response, Name);

        private static Uri Job(SoraProfile profile, string id, string rest = "") => Api(profile.BaseUri, "videos/" + Uri.EscapeDataString(id) + rest);

        /// <summary>The content endpoint of one output (sent with the key).</summary>
        public static Uri ContentUri(SoraProfile profile, string id, int index) =>
            Job(profile, id, "/content?index=" + index.ToString(CultureInfo.InvariantCulture));

        protected override void ValidateMore(ValidatedRequest request, ModelSpec spec)
        {
            var source = request.Source;
            var frames = spec.FrameImages;
            if ((request.ImageUri != null || request.ImagePath != null) && frames != null && !frames.Contains("first_frame"))
                throw new SoraValidationException("ImageNotSupported", "Image",
                    $"OpenRouter model {spec.Name} takes no first frame{(frames.Count == 0 ? "" : " (it takes: " + string.Join(", ", frames) + ")")}.");
            if (!string.IsNullOrWhiteSpace(source.LastFrame))
            {
                if (frames != null && !frames.Contains("last_frame"))
                    throw new SoraValidationException("LastFrameNotSupported", "LastFrame",
                        $"OpenRouter model {spec.Name} takes no last frame{(frames.Count == 0 ? "" : " (it takes: " + string.Join(", ", frames) + ")")}.");
                CheckImage(source.LastFrame!, "LastFrame");
            }
            if (source.ReferenceImages != null)
                foreach (var reference in source.ReferenceImages)
                {
                    if (string.IsNullOrWhiteSpace(reference))
                        throw new SoraValidationException("ImageNotFound", "ReferenceImage", "A reference image is empty.");
                    CheckImage(reference, "ReferenceImage");
                }
            if (request.ImagePath != null) CheckInlineSize(request.ImagePath, "Image");
        }

        /// <summary>An http(s) URL, or a local .png/.jpg/.jpeg/.webp file small enough to go inline as a data URL.</summary>
        private static void CheckImage(string image, string parameter)
        {
            if (IsWebUrl(image)) return;
            if (Uri.TryCreate(image, UriKind.Absolute, out var other) && !other.IsFile)
                throw new SoraValidationException("ImageUrlRequired", parameter,
                    $"-{parameter} takes an http(s) URL or a local image file; '{image}' is neither.");
            var path = Path.GetFullPath(image);
            if (!File.Exists(path))
                throw new SoraValidationException("ImageNotFound", parameter, $"The image file '{path}' does not exist.");
            MediaType(path, parameter);
            CheckInlineSize(path, parameter);
        }

        private static void CheckInlineSize(string path, string parameter)
        {
            var length = new FileInfo(path).Length;
            if (length > MaxInlineImageBytes)
                throw new SoraValidationException("ImageTooLarge", parameter,
                    $"The image '{path}' has {length / 1048576.0:0.#} MB; OpenRouter takes a local image inline (a data URL) up to {MaxInlineImageBytes / 1048576} MB. Upload it somewhere the provider can download it and pass its https URL instead.");
        }

        private static bool IsWebUrl(string text) =>
            Uri.TryCreate(text, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps);

        private static string MediaType(string path, string parameter)
        {
            switch (Path.GetExtension(path).ToLowerInvariant())
            {
                case ".png": return "image/png";
                case ".jpg": case ".jpeg": return "image/jpeg";
                case ".webp": return "image/webp";
                default:
                    throw new SoraValidationException("InvalidImageType", parameter, $"The image '{path}' must be .png, .jpg, .jpeg or .webp.");
            }
        }

        /// <summary>
        /// The image as the spec's <c>ContentPartImage</c> takes it: <c>image_url.url</c> is the URL, or for a local
        /// file a <c>data:</c> URL with the file's bytes in base64 (the provider fetches nothing from this machine).
        /// </summary>
        private static string ImageUrl(string image)
        {
            if (IsWebUrl(image)) return new Uri(image).AbsoluteUri;
            var path = Path.GetFullPath(image);
            return "data:" + MediaType(path, "Image") + ";base64," + Convert.ToBase64String(File.ReadAllBytes(path));
        }

        private static Dictionary<string, object?> ImagePart(string image, string? frameType)
        {
            var part = new Dictionary<string, object?>
            {
                ["type"] = "image_url",
                ["image_url"] = new Dictionary<string, object?> { ["url"] = ImageUrl(image) },
            };
            if (frameType != null) part["frame_type"] = frameType;
            return part;
        }

        public override HttpRequestMessage BuildSubmit(SoraProfile profile, ValidatedRequest r)
        {
            var body = new Dictionary<string, object?>
            {
                ["model"] = r.Model,
                ["prompt"] = r.Prompt,
                ["duration"] = r.Duration.Value,
                ["resolution"] = r.Resolution,
                ["aspect_ratio"] = r.AspectRatio,
            };
            var frames = new List<object>();
            var first = r.ImageUri?.AbsoluteUri ?? r.ImagePath;
            if (first != null) frames.Add(ImagePart(first, "first_frame"));
            if (!string.IsNullOrWhiteSpace(r.Source.LastFrame)) frames.Add(ImagePart(r.Source.LastFrame!, "last_frame"));
            if (frames.Count > 0) body["frame_images"] = frames;
            if (r.Source.ReferenceImages != null && r.Source.ReferenceImages.Count > 0)
                body["input_references"] = r.Source.ReferenceImages.Select(i => (object)ImagePart(i, null)).ToList();
            if (r.Source.CallbackUri != null) body["callback_url"] = r.Source.CallbackUri.AbsoluteUri;
            return JsonPost(Api(profile.BaseUri, "videos"), body, r.Source.ProviderOptions);
        }

        public override SoraTask ParseSubmit(ProviderResponse response, ValidatedRequest request, SoraProfile profile)
        {
            var task = FillFromRequest(ParseTask(response, profile), request);
            task.CreatedAt = task.CreatedAt ?? DateTimeOffset.UtcNow;
            return task;
        }

        public override HttpRequestMessage BuildQuery(SoraProfile profile, string id) =>
            new HttpRequestMessage(HttpMethod.Get, Job(profile, id));

        public override SoraTask ParseTask(ProviderResponse response, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "job"))
            {
                var root = doc.RootElement;
                var task = TaskFrom(response, profile, root.Str("id"), "job", root.Str("status"));
                task.GenerationId = root.Str("generation_id");
                task.Model = root.Str("model");
                task.Progress = root.Prop("progress").Percent() ?? 0;
                var cost = root.Path("usage", "cost").Num();
                if (cost.HasValue && cost.Value >= 0) task.ActualCost = Math.Round((decimal)cost.Value, 6);
                var error = root.Str("error");
                if (!string.IsNullOrEmpty(error)) task.Error = new SoraTaskError(ErrorIds.KindFromReason(error), null, error);
                if (task.Status == SoraTaskStatus.Failed && task.Error == null)
                    task.Error = new SoraTaskError(SoraErrorKind.Unknown, null, "The provider reported failure without a reason.");
                if (task.Status == SoraTaskStatus.Succeeded)
                {
                    var signed = Links(root.Prop("urls"));
                    var unsigned = Links(root.Prop("unsigned_urls"));
                    var count = Math.Max(1, Math.Max(signed.Count, unsigned.Count));
                    // A signed link (another origin) is fetched without the key; otherwise the content endpoint with it.
                    var all = Enumerable.Range(0, count)
                        .Select(i => i < signed.Count ? ResultUri(profile, signed[i], response.Body)! : ContentUri(profile, task.Id, i))
                        .ToArray();
                    task.VideoUri = all[0];
                    task.VideoUris = all.Length > 1 ? all : null;
                    MarkSucceeded(task, null, response.Body);
                }
                var every = NetworkSettings.Seconds(profile, PollIntervalSec.Name);
                task.PollAfter = every ?? TimeSpan.FromSeconds(double.Parse(PollIntervalSec.Default!, CultureInfo.InvariantCulture));
                return task;
            }
        }

        private static List<string> Links(JsonElement? array) =>
            array?.ValueKind == JsonValueKind.Array
                ? array.Value.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : null).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!).ToList()
                : new List<string>();

        /// <summary>The first output: the task's link, or (for a task known only by its id) the content endpoint.</summary>
        protected override Uri? DownloadUri(SoraProfile profile, SoraTask task, DownloadVariant variant) =>
            task.VideoUri ?? ContentUri(profile, task.Id, 0);

        /// <summary>OpenRouter's 402 means the account's credits ran out; the message says so before the provider's words.</summary>
        public override SoraApiException ParseError(ProviderResponse response)
        {
            var e = base.ParseError(response);
            if (response.StatusCode != 402) return e;
            var credits = new SoraApiException(e.Kind, e.StatusCode, e.ProviderCode,
                "Your OpenRouter credits ran out (402); add credits at https://openrouter.ai/credits. " + e.Message, e.RawBody)
            { RetryAfter = e.RetryAfter, Param = e.Param, ErrorType = e.ErrorType };
            return credits;
        }
    }
}
