using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// The unified task relay shape: <c>POST /v1/videos/generations</c> with an integer duration,
    /// <c>image_urls</c>, an optional https callback; query <c>GET /v1/tasks/{id}</c>; links valid 24 h.
    /// </summary>
    public sealed class UnifiedTaskDialect : SoraDialect
    {
        private static readonly SettingDeclaration QueryPath = SettingDeclaration.QueryPath("v1/tasks/{id}");
        /// <summary>
        /// Cancel while task_info.can_cancel is true. The seeds name the cancelled state but not the call:
        /// POST /v1/tasks/{id}/cancel is assumed, and the profile setting CancelPath overrides it.
        /// </summary>
        private static readonly SettingDeclaration CancelPath = new SettingDeclaration("CancelPath", SettingType.Path, "v1/tasks/{id}/cancel",
            "Path of a task's cancel request (POST); {id} is replaced by the task id.");

        private static readonly StatusTable Words = new StatusTable
        {
            { SoraTaskStatus.Queued, "pending", "queued", "submitted" },
            { SoraTaskStatus.Running, "processing", "running", "in_progress" },
            { SoraTaskStatus.Succeeded, "completed", "succeeded", "success" },
            { SoraTaskStatus.Failed, "failed", "failure", "error" },
            { SoraTaskStatus.Cancelled, "cancelled", "canceled" },
            { SoraTaskStatus.Expired, "expired" },
        };

        private static readonly DialectCapabilities Can = new DialectCapabilities(DialectOperation.Query | DialectOperation.Cancel | DialectOperation.Callback);

        private static readonly ModelSpec[] Table =
        {
            // sora-2 lite: 10 or 15 s, no size field (standard quality only).
            new ModelSpec("sora-2", new[] { 10, 15 }, 10, new[] { "16:9", "9:16" }, "16:9", new[] { "720p" }, "720p", 5000, ImageInput.UrlOnly)
                { ResolutionPriceFactor = new Dictionary<string, double> { ["720p"] = 1.0 } },
            // sora-2-pro-preview: 4/8/12 s, size 720p or 1080p (1080p bills 1.667x).
            new ModelSpec("sora-2-pro-preview", new[] { 4, 8, 12 }, 4, new[] { "16:9", "9:16" }, "16:9", new[] { "720p", "1080p" }, "720p", 5000, ImageInput.UrlOnly)
                { ResolutionPriceFactor = new Dictionary<string, double> { ["720p"] = 1.0, ["1080p"] = 1.667 } },
        };

        public override string Name => "UnifiedTask";
        public override string Description => "Unified task relays: POST /v1/videos/generations, GET /v1/tasks/{id}";
        public override IReadOnlyList<ModelSpec> Models => Table;
        public override StatusTable Statuses => Words;
        public override DialectCapabilities Capabilities => Can;

        private static readonly SentField[] Sent = { SentField.Model(), SentField.Duration(), SentField.AspectRatio(), SentField.Resolution("size") };

        public override IReadOnlyList<SentField> SentFields => Sent;
        public override TimeSpan? LinkLifetime => TimeSpan.FromHours(24);
        protected override IEnumerable<SettingDeclaration> OwnSettings => new[] { QueryPath, CancelPath };

        /// <summary>The relay prices watermark removal (on unless remove_watermark is false) and reserves credits at submission.</summary>
        public override string BillingNote(ValidatedRequest request)
        {
            var watermark = request.Source.ProviderOptions != null && request.Source.ProviderOptions.TryGetValue("remove_watermark", out var rw) && rw is bool b && !b
                ? "; watermark kept (standard price)" : "; watermark removed by default (priced higher)";
            return watermark + "; the provider reserves credits at submission (usage.credits_reserved)";
        }

        private static bool SendsSize(string model) => string.Equals(model, "sora-2-pro-preview", StringComparison.OrdinalIgnoreCase);

        public override HttpRequestMessage BuildSubmit(SoraProfile profile, ValidatedRequest r)
        {
            var body = new Dictionary<string, object?>
            {
                ["model"] = r.Model,
                ["prompt"] = r.Prompt,
                ["aspect_ratio"] = r.AspectRatio,
                ["duration"] = r.Duration.Value,
            };
            if (SendsSize(r.Model)) body["size"] = r.Resolution;
            if (r.ImageUri != null) body["image_urls"] = new[] { r.ImageUri.AbsoluteUri };
            if (r.Source.CallbackUri != null) body["callback_url"] = r.Source.CallbackUri.AbsoluteUri;
            return JsonPost(Endpoint(profile.BaseUri, "v1/videos/generations"), body, r.Source.ProviderOptions);
        }

        public override SoraTask ParseSubmit(ProviderResponse response, ValidatedRequest request, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "submission"))
            {
                // APIMart-style: {"code":200,"data":[{"status":"submitted","task_id":"…"}]}.
                var data = doc.RootElement.Prop("data");
                if (data?.ValueKind == JsonValueKind.Array)
                {
                    var first = data.Value.EnumerateArray().FirstOrDefault(e => e.ValueKind == JsonValueKind.Object);
                    if (first.ValueKind == JsonValueKind.Object) return FillFromRequest(Read(response, profile, first), request);
                }
            }
            return FillFromRequest(ParseTask(response, profile), request);
        }

        public override HttpRequestMessage BuildQuery(SoraProfile profile, string id) =>
            SettingPath(HttpMethod.Get, profile, QueryPath, id);

        public override HttpRequestMessage BuildCancel(SoraProfile profile, string id) =>
            SettingPath(HttpMethod.Post, profile, CancelPath, id);

        public override SoraTask ParseTask(ProviderResponse response, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "task"))
            {
                var root = doc.RootElement;
                // Some relays wrap the task in {"data": {...}} (APIMart-style: {"code":200,"data":{...}}).
                root = UnwrapData(root, "id", "task_id");
                return Read(response, profile, root);
            }
        }

        private SoraTask Read(ProviderResponse response, SoraProfile profile, JsonElement root)
        {
            // A numeric id beside a task_id is a relay's row number, not the task's id.
            var id = root.Prop("id")?.ValueKind == JsonValueKind.Number && root.Str("task_id") != null ? root.Str("task_id") : root.Str("id") ?? root.Str("task_id");
            var task = TaskFrom(response, profile, id, "task", root.Str("status"));
            task.Progress = root.Prop("progress").Percent() ?? 0;
            task.Model = root.Str("model");
            task.Prompt = root.Str("prompt");
            task.CreatedAt = root.Prop("created").Time() ?? root.Prop("created_at").Time();
            task.CompletedAt = root.Prop("completed_at").Time() ?? root.Prop("finished_at").Time() ?? root.Prop("completed").Time();
            var info = root.Prop("task_info");
            if (info?.ValueKind == JsonValueKind.Object)
            {
                var est = info.Value.Prop("estimated_time").Num();
                if (est.HasValue && est.Value > 0 && est.Value < 86400) task.EstimatedTotal = TimeSpan.FromSeconds(est.Value);
                task.Duration = info.Value.Prop("video_duration").Int();
            }
            task.Duration = root.Prop("duration").Int() ?? task.Duration;
            task.AspectRatio = root.Str("aspect_ratio");
            task.Resolution = root.Str("size");
            var results = root.Prop("results");
            if (results?.ValueKind == JsonValueKind.Array)
            {
                var first = results.Value.EnumerateArray()
                    .Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : x.Str("url"))
                    .FirstOrDefault(s => !string.IsNullOrEmpty(s));
                if (first != null) task.VideoUri = ResultUri(profile, first, response.Body);
            }
            // APIMart-style: result.videos[].url, a list of links (or one).
            var videos = root.Path("result", "videos");
            if (task.VideoUri == null && videos?.ValueKind == JsonValueKind.Array)
            {
                var first = videos.Value.EnumerateArray().Select(v => v.Prop("url")).SelectMany(u =>
                        u?.ValueKind == JsonValueKind.Array ? u.Value.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : null)
                        : new[] { u?.ValueKind == JsonValueKind.String ? u.Value.GetString() : null })
                    .FirstOrDefault(s => !string.IsNullOrEmpty(s));
                if (first != null) task.VideoUri = ResultUri(profile, first, response.Body);
            }
            var cost = root.Prop("cost").Num();
            if (cost.HasValue && !double.IsNaN(cost.Value) && !double.IsInfinity(cost.Value) && cost.Value >= 0 && cost.Value < 1e9)
                task.ActualCost = (decimal)cost.Value;
            task.ExpiresAt = root.Prop("expires_at").Time();
            if (task.Status == SoraTaskStatus.Succeeded)
                MarkSucceeded(task, "is completed but the answer has no video URL in 'results' or 'result.videos'.", response.Body);
            task.Error = ErrorMember(root.Prop("error"));
            if (task.Status == SoraTaskStatus.Failed) MarkFailed(task, task.Error, root.Str("fail_reason"));
            return task;
        }
    }
}
