using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// The task route of new-api, the gateway most paid relays run: <c>POST /v1/video/generations</c> (<c>model, prompt,
    /// duration, width, height, size, image, seed, metadata</c>) and <c>GET /v1/video/generations/{task_id}</c>. A task is
    /// read in each shape new-api answers: its envelope <c>{"code":"success","data":{task_id, status, progress:"30%",
    /// fail_reason, result_url, data:{…the upstream's answer…}}}</c> (status NOT_START … FAILURE), the same envelope whose
    /// data is <c>{task_id, status: queued|processing|succeeded|failed, url, format}</c> (its Veo channels), and the flat
    /// <c>{task_id, status: queued|in_progress|completed|failed, url, error:{code,message}}</c> of its documentation. Without
    /// a link the relay serves the video from its own <c>/v1/videos/{task_id}/content</c>, with the key.
    /// </summary>
    public sealed class NewApiDialect : SoraDialect
    {
        private static readonly SettingDeclaration QueryPath = SettingDeclaration.QueryPath("v1/video/generations/{id}");

        private static readonly StatusTable Words = new StatusTable
        {
            { SoraTaskStatus.Queued, "NOT_START", "SUBMITTED", "QUEUED", "PENDING" },
            { SoraTaskStatus.Running, "IN_PROGRESS", "PROCESSING", "RUNNING" },
            { SoraTaskStatus.Succeeded, "SUCCESS", "SUCCEEDED", "COMPLETED" },
            { SoraTaskStatus.Failed, "FAILURE", "FAILED", "FAIL", "ERROR" },
            { SoraTaskStatus.Cancelled, "CANCELLED", "CANCELED" },
            { SoraTaskStatus.Expired, "EXPIRED" },
            // UNKNOWN: new-api has not heard from the upstream yet; not finished (SoraTaskStatus.Unknown).
        };

        private static readonly DialectCapabilities Can = new DialectCapabilities(DialectOperation.Query);

        private static readonly ProviderOption[] Options =
        {
            new ProviderOption("seed", ProviderOptionType.Integer, "The generation's random seed, passed to the upstream channel."),
            new ProviderOption("fps", ProviderOptionType.Integer, "Frames per second, where the upstream channel takes it."),
            new ProviderOption("n", ProviderOptionType.Integer, "How many videos to make, where the upstream channel takes it."),
        };

        private static readonly string[] Wide = { "16:9", "9:16" };
        private static readonly string[] WideAndSquare = { "16:9", "9:16", "1:1" };

        /// <summary>
        /// Models new-api's video channels serve (names as its channel adaptors list them). Prices are the relay's own:
        /// none is estimated. Any other model a relay offers is added with Register-SoraModel or mapped with -ModelAlias.
        /// </summary>
        private static readonly ModelSpec[] Table =
        {
            new ModelSpec("sora-2", new[] { 4, 8, 12 }, 4, Wide, "16:9", new[] { "720p" }, "720p", 32000, ImageInput.UrlOnly),
            new ModelSpec("sora-2-pro", new[] { 4, 8, 12 }, 4, Wide, "16:9", new[] { "720p", "1024p" }, "720p", 32000, ImageInput.UrlOnly),
            // Gemini / Vertex channels.
            new ModelSpec("veo-3.1-generate-preview", new[] { 4, 6, 8 }, 8, Wide, "16:9", new[] { "720p", "1080p" }, "720p", 5000, ImageInput.UrlOnly),
            new ModelSpec("veo-3.1-fast-generate-preview", new[] { 4, 6, 8 }, 8, Wide, "16:9", new[] { "720p", "1080p" }, "720p", 5000, ImageInput.UrlOnly),
            // Doubao (Seedance) channels.
            new ModelSpec("doubao-seedance-1-0-pro-250528", new[] { 5, 10 }, 5, WideAndSquare, "16:9", new[] { "480p", "720p", "1080p" }, "720p", 5000, ImageInput.UrlOnly),
            new ModelSpec("doubao-seedance-1-5-pro-251215", new[] { 5, 10 }, 5, WideAndSquare, "16:9", new[] { "480p", "720p", "1080p" }, "720p", 5000, ImageInput.UrlOnly),
            // Ali (Wan) channels.
            new ModelSpec("wan2.5-t2v-preview", new[] { 5, 10 }, 5, WideAndSquare, "16:9", new[] { "480p", "720p", "1080p" }, "1080p", 5000, ImageInput.UrlOnly),
            // Kling channels.
            new ModelSpec("kling-v2-1", new[] { 5, 10 }, 5, WideAndSquare, "16:9", new[] { "720p", "1080p" }, "720p", 2500, ImageInput.UrlOnly),
            // MiniMax (Hailuo) channels.
            new ModelSpec("MiniMax-Hailuo-02", new[] { 6, 10 }, 6, Wide, "16:9", new[] { "768p", "1080p" }, "768p", 2000, ImageInput.UrlOnly),
        };

        /// <summary>The pixel sizes sent as width/height and size.</summary>
        private static readonly SizeTable Sizes = new SizeTable()
            .Add("16:9", "480p", 854, 480).Add("9:16", "480p", 480, 854).Add("1:1", "480p", 480, 480)
            .Add("16:9", "720p", 1280, 720).Add("9:16", "720p", 720, 1280).Add("1:1", "720p", 720, 720)
            .Add("16:9", "768p", 1366, 768).Add("9:16", "768p", 768, 1366)
            .Add("16:9", "1024p", 1792, 1024).Add("9:16", "1024p", 1024, 1792)
            .Add("16:9", "1080p", 1920, 1080).Add("9:16", "1080p", 1080, 1920).Add("1:1", "1080p", 1080, 1080);

        public override string Name => "NewApi";
        public override string Description => "new-api relays' task route: POST /v1/video/generations, GET /v1/video/generations/{task_id}";
        public override IReadOnlyList<ModelSpec> Models => Table;
        public override StatusTable Statuses => Words;
        public override DialectCapabilities Capabilities => Can;

        private static readonly SentField[] Sent =
        {
            SentField.Model(), SentField.Duration(), SentField.Derived("width", "-Resolution and -AspectRatio"), SentField.Derived("height", "-Resolution and -AspectRatio"),
            SentField.Derived("size", "-Resolution and -AspectRatio"), SentField.Count("n"),
        };

        public override IReadOnlyList<SentField> SentFields => Sent;
        public override IReadOnlyList<ProviderOption> ProviderOptions => Options;
        /// <summary>The upstream links new-api passes on (and its own copy of them) last about a day.</summary>
        public override TimeSpan? LinkLifetime => TimeSpan.FromHours(24);
        protected override IEnumerable<SettingDeclaration> OwnSettings => new[] { QueryPath };

        public override string? SizeOf(string aspectRatio, string resolution) => Sizes.SizeText(aspectRatio, resolution);

        public override HttpRequestMessage BuildSubmit(SoraProfile profile, ValidatedRequest r)
        {
            var body = new Dictionary<string, object?>
            {
                ["model"] = r.Model,
                ["prompt"] = r.Prompt,
                ["duration"] = r.Duration.Value,
            };
            var (width, height) = Sizes.SizeFor(r.AspectRatio, r.Resolution);
            if (width > 0)
            {
                body["width"] = width;
                body["height"] = height;
                body["size"] = width.ToString(CultureInfo.InvariantCulture) + "x" + height.ToString(CultureInfo.InvariantCulture);
            }
            if (r.ImageUri != null) body["image"] = r.ImageUri.AbsoluteUri;
            return JsonPost(Endpoint(profile.BaseUri, "v1/video/generations"), body, r.Source.ProviderOptions);
        }

        /// <summary>
        /// The submission answer: new-api's OpenAI video object <c>{id, task_id, object:"video", status:"queued"}</c>, its
        /// envelope around a task, or <c>{"code":"success","data":"task_…"}</c>.
        /// </summary>
        public override SoraTask ParseSubmit(ProviderResponse response, ValidatedRequest request, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "submission"))
            {
                var root = Unwrap(doc.RootElement);
                var data = doc.RootElement.Prop("data");
                var id = TaskId(root) ?? (data?.ValueKind == JsonValueKind.String ? data.Value.GetString() : null);
                if (root.Str("status") == null) return AcceptedTask(id, response, request, profile, "SUBMITTED");
                return FillFromRequest(Read(response, profile, root, id), request);
            }
        }

        public override HttpRequestMessage BuildQuery(SoraProfile profile, string id) =>
            SettingPath(HttpMethod.Get, profile, QueryPath, id);

        public override SoraTask ParseTask(ProviderResponse response, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "task"))
            {
                var root = Unwrap(doc.RootElement);
                return Read(response, profile, root, TaskId(root));
            }
        }

        /// <summary>The task inside new-api's <c>{"code":"success","data":{…}}</c> envelope, or the answer itself when it is flat.</summary>
        private static JsonElement Unwrap(JsonElement root)
        {
            var data = root.Prop("data");
            if (root.Prop("status") == null && data?.ValueKind == JsonValueKind.Object) return data.Value;
            return root;
        }

        /// <summary>The public task id: <c>task_id</c>; <c>id</c> only when it is text (the envelope's <c>id</c> is a row number).</summary>
        private static string? TaskId(JsonElement task)
        {
            var taskId = task.Str("task_id");
            if (!string.IsNullOrEmpty(taskId)) return taskId;
            var id = task.Prop("id");
            return id?.ValueKind == JsonValueKind.String ? id.Value.GetString() : null;
        }

        private SoraTask Read(ProviderResponse response, SoraProfile profile, JsonElement root, string? id)
        {
            var task = TaskFrom(response, profile, id, "task", root.Str("status"));
            var upstream = root.Prop("data");
            task.Progress = root.Prop("progress").Percent() ?? 0;
            task.Model = root.Str("model") ?? (upstream?.ValueKind == JsonValueKind.Object ? upstream.Value.Str("model") : null) ?? root.Path("properties", "origin_model_name").Str();
            task.CreatedAt = root.Prop("submit_time").Time() ?? root.Prop("created_at").Time();
            task.CompletedAt = root.Prop("finish_time").Time() ?? root.Prop("completed_at").Time();
            task.ExpiresAt = root.Prop("expires_at").Time();
            task.Duration = root.Prop("seconds").Int() ?? root.Prop("duration").Int();
            var link = Link(root) ?? (upstream?.ValueKind == JsonValueKind.Object ? Link(upstream.Value) : null);
            if (task.Status == SoraTaskStatus.Failed)
            {
                var error = ErrorMember(root.Prop("error")) ?? (upstream?.ValueKind == JsonValueKind.Object ? ErrorMember(upstream.Value.Prop("error")) : null);
                var reason = root.Str("fail_reason");
                task.Error = error ?? FailureFrom(reason, "The relay reported failure without a reason.");
            }
            if (task.Status == SoraTaskStatus.Succeeded)
            {
                // Without a link of its own the relay serves the video itself.
                task.VideoUri = link != null ? ResultUri(profile, link, response.Body) : Endpoint(profile.BaseUri, "v1/videos/" + Uri.EscapeDataString(task.Id) + "/content");
                MarkSucceeded(task, null, response.Body);
            }
            return task;
        }

        /// <summary>Where a task object names its video: result_url, url, video_url, metadata.url or metadata.video_url.</summary>
        private static string? Link(JsonElement task)
        {
            foreach (var name in new[] { "result_url", "url", "video_url" })
            {
                var value = LinkText(task.Prop(name));
                if (value != null) return value;
            }
            var metadata = task.Prop("metadata");
            if (metadata?.ValueKind == JsonValueKind.Object)
                return LinkText(metadata.Value.Prop("url")) ?? LinkText(metadata.Value.Prop("video_url"));
            return null;
        }

        private static string? LinkText(JsonElement? value)
        {
            if (value?.ValueKind == JsonValueKind.String) return string.IsNullOrWhiteSpace(value.Value.GetString()) ? null : value.Value.GetString();
            if (value?.ValueKind == JsonValueKind.Array)
                return value.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s));
            return null;
        }
    }
}
