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
    /// The "v2 task" relay shape (seed 000): <c>POST /v2/videos/generations</c> with <c>duration</c> as a
    /// string, <c>images</c> URLs, <c>hd</c> for sora-2-pro only, <c>notify_hook</c>; query
    /// <c>GET /v2/videos/generations/{task_id}</c> with the relay status words and <c>"NN%"</c> progress.
    /// </summary>
    public sealed class V2TaskDialect : SoraDialect
    {
        private static readonly SettingDeclaration QueryPath = SettingDeclaration.QueryPath("v2/videos/generations/{id}");

        private static readonly StatusTable Words = new StatusTable
        {
            { SoraTaskStatus.Queued, "NOT_START", "SUBMITTED", "QUEUED", "PENDING" },
            { SoraTaskStatus.Running, "IN_PROGRESS", "RUNNING", "PROCESSING" },
            { SoraTaskStatus.Succeeded, "SUCCESS", "SUCCEEDED", "COMPLETED" },
            { SoraTaskStatus.Failed, "FAILURE", "FAIL", "FAILED" },
            { SoraTaskStatus.Cancelled, "CANCELLED", "CANCELED" },
            { SoraTaskStatus.Expired, "EXPIRED" },
        };

        private static readonly DialectCapabilities Can = new DialectCapabilities(DialectOperation.Query | DialectOperation.Callback);

        /// <summary>The seed's "images" is an array of URLs with no stated length: as many as are given.</summary>
        private const int ImagesLimit = int.MaxValue;

        private static readonly ProviderOption[] Options =
        {
            new ProviderOption("watermark", ProviderOptionType.Boolean, "Mark the video with the provider's watermark."),
            new ProviderOption("private", ProviderOptionType.Boolean, "Keep the video out of the provider's public feed."),
        };

        public override IReadOnlyList<ProviderOption> ProviderOptions => Options;

        // 10/15 (and 4/8/12 on some groups) for both; 25 s and hd only on sora-2-pro. "1080p" means hd=true.
        private static readonly ModelSpec[] Table =
        {
            new ModelSpec("sora-2", new[] { 4, 8, 10, 12, 15 }, 10, new[] { "16:9", "9:16" }, "16:9", new[] { "720p" }, "720p", 5000, ImageInput.UrlOnly) { MaxImages = ImagesLimit },
            new ModelSpec("sora-2-pro", new[] { 4, 8, 10, 12, 15, 25 }, 10, new[] { "16:9", "9:16" }, "16:9", new[] { "720p", "1080p" }, "720p", 5000, ImageInput.UrlOnly) { MaxImages = ImagesLimit },
        };

        public override string Name => "V2Task";
        public override string Description => "\"v2 task\" relays: POST /v2/videos/generations, GET /v2/videos/generations/{task_id}";
        public override IReadOnlyList<ModelSpec> Models => Table;
        public override StatusTable Statuses => Words;
        public override DialectCapabilities Capabilities => Can;

        private static readonly SentField[] Sent = { SentField.Model(), SentField.Duration(), SentField.AspectRatio(), SentField.Derived("hd", "-Resolution 1080p") };

        public override IReadOnlyList<SentField> SentFields => Sent;
        public override TimeSpan? LinkLifetime => TimeSpan.FromHours(24);
        protected override IEnumerable<SettingDeclaration> OwnSettings => new[] { QueryPath };

        public override HttpRequestMessage BuildSubmit(SoraProfile profile, ValidatedRequest r)
        {
            var body = new Dictionary<string, object?>
            {
                ["prompt"] = r.Prompt,
                ["model"] = r.Model,
                ["aspect_ratio"] = r.AspectRatio,
                ["duration"] = r.Duration.Value.ToString(CultureInfo.InvariantCulture),
            };
            if (r.ImageUris.Count > 0) body["images"] = r.ImageUris.Select(u => u.AbsoluteUri).ToArray();
            if (string.Equals(r.Resolution, "1080p", StringComparison.OrdinalIgnoreCase)) body["hd"] = true;
            if (r.Source.CallbackUri != null) body["notify_hook"] = r.Source.CallbackUri.AbsoluteUri;
            return JsonPost(Endpoint(profile.BaseUri, "v2/videos/generations"), body, r.Source.ProviderOptions);
        }

        public override SoraTask ParseSubmit(ProviderResponse response, ValidatedRequest request, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "submission"))
            {
                var root = doc.RootElement;
                var id = root.Str("task_id") ?? root.Path("data", "task_id").Str() ?? root.Str("id");
                return AcceptedTask(id, response, request, profile, "SUBMITTED");
            }
        }

        public override HttpRequestMessage BuildQuery(SoraProfile profile, string id) =>
            SettingPath(HttpMethod.Get, profile, QueryPath, id);

        public override SoraTask ParseTask(ProviderResponse response, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "task"))
            {
                var root = doc.RootElement;
                // Some relays wrap the task: {"code":"success","data":{...task...}}.
                root = UnwrapData(root, "task_id");
                var task = TaskFrom(response, profile, root.Str("task_id") ?? root.Str("id"), "task", root.Str("status"));
                task.Progress = root.Prop("progress").Percent() ?? 0;
                task.CreatedAt = root.Prop("submit_time").Time();
                task.CompletedAt = root.Prop("finish_time").Time();
                var data = root.Prop("data");
                string? output = null;
                if (data?.ValueKind == JsonValueKind.Object)
                {
                    output = data.Value.Str("output");
                    var outputs = data.Value.Prop("outputs");
                    if (output == null && outputs?.ValueKind == JsonValueKind.Array)
                        output = outputs.Value.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.String ? o.GetString() : o.Str("url")).FirstOrDefault(u => !string.IsNullOrEmpty(u));
                    task.Model = data.Value.Str("model");
                }
                if (output != null) task.VideoUri = ResultUri(profile, output, response.Body);
                var reason = root.Str("fail_reason");
                if (task.Status == SoraTaskStatus.Failed) MarkFailed(task, null, reason);
                if (task.Status == SoraTaskStatus.Succeeded)
                    MarkSucceeded(task, "succeeded but the answer has no video URL (data.output or data.outputs).", response.Body);
                return task;
            }
        }
    }
}
