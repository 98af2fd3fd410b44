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
    /// The legacy Sora web shape (seed 003): <c>POST /sora/v1/videos</c> with width/height from the size
    /// table, n_frames from the duration, and the operations simple_compose, storyboard, remix and blend.
    /// The answer is <c>{code, message, data: task id}</c>; the query path is a profile setting.
    /// </summary>
    public sealed class SoraWebDialect : SoraDialect
    {
        private static readonly SettingDeclaration QueryPath = SettingDeclaration.QueryPath("sora/v1/videos/{id}");

        private static readonly StatusTable Words = new StatusTable
        {
            { SoraTaskStatus.Queued, "pending", "queued", "submitted" },
            { SoraTaskStatus.Running, "preprocessing", "running", "processing", "in_progress" },
            { SoraTaskStatus.Succeeded, "succeeded", "completed", "success" },
            { SoraTaskStatus.Failed, "failed", "failure", "rejected" },
            { SoraTaskStatus.Cancelled, "cancelled", "canceled" },
            { SoraTaskStatus.Expired, "expired" },
        };

        private static readonly DialectCapabilities Can = new DialectCapabilities(
            DialectOperation.Query | DialectOperation.Remix | DialectOperation.RemixStrength | DialectOperation.Storyboard | DialectOperation.Blend | DialectOperation.ImageFrame);
        private const int FramesPerSecond = 30;

        // Exactly the seed's table.
        private static readonly SizeTable Sizes = new SizeTable()
            .Add("1:1", "480p", 480, 480).Add("1:1", "720p", 720, 720)
            .Add("9:16", "480p", 480, 854).Add("16:9", "480p", 854, 480)
            .Add("16:9", "720p", 1280, 720).Add("9:16", "720p", 720, 1280);

        private static readonly ModelSpec[] Table =
        {
            new ModelSpec("turbo", new[] { 5, 10 }, 5, new[] { "16:9", "9:16", "1:1" }, "16:9", new[] { "480p", "720p" }, "720p", 5000, ImageInput.UrlOnly),
        };

        public override string Name => "SoraWeb";
        public override string Description => "Legacy Sora web shape: POST /sora/v1/videos (simple_compose, storyboard, remix, blend)";
        public override IReadOnlyList<ModelSpec> Models => Table;
        public override StatusTable Statuses => Words;
        public override DialectCapabilities Capabilities => Can;

        private static readonly SentField[] Sent =
        {
            SentField.Model(), SentField.Derived("n_frames", "-Duration"), SentField.Derived("width", "-Resolution and -AspectRatio"),
            SentField.Derived("height", "-Resolution and -AspectRatio"), SentField.Count("n_variants"),
        };

        public override IReadOnlyList<SentField> SentFields => Sent;
        public override TimeSpan? LinkLifetime => TimeSpan.FromHours(24);
        protected override IEnumerable<SettingDeclaration> OwnSettings => new[] { QueryPath };

        public static (int Width, int Height) SizeFor(string aspect, string resolution) => Sizes.SizeFor(aspect, resolution);

        public override string? SizeOf(string aspectRatio, string resolution) => Sizes.SizeText(aspectRatio, resolution);

        /// <summary>Remix strength 0..1 to sdedit.amount 1..8.</summary>
        public static int RemixAmount(double? strength) => 1 + (int)Math.Round((strength ?? 0.5) * 7, MidpointRounding.AwayFromZero);

        protected override void ValidateMore(ValidatedRequest request, ModelSpec spec)
        {
            var s = request.Source;
            var operations = new[] { !string.IsNullOrEmpty(s.RemixOf), s.Storyboard?.Count > 0, s.Blend?.Count > 0 }.Count(x => x);
            if (operations > 1)
                throw new SoraValidationException("ConflictingOperations", "RemixOf", "Choose one of remix, storyboard and blend.");
            if (s.Storyboard?.Count > 0)
            {
                foreach (var beat in s.Storyboard)
                {
                    if (string.IsNullOrWhiteSpace(beat.Description))
                        throw new SoraValidationException("InvalidStoryboard", "Storyboard", "Every storyboard beat needs a description.");
                    if (beat.Time < 0 || beat.Time > request.Duration.Value)
                        throw new SoraValidationException("InvalidStoryboard", "Storyboard",
                            $"Storyboard beat at {beat.Time.ToString(CultureInfo.InvariantCulture)} s is outside the {request.Duration} s video (0..{request.Duration}).");
                }
                request.Operation = "storyboard";
            }
            else if (s.Blend?.Count > 0)
            {
                if (s.Blend.Count != 2 || s.Blend.Any(string.IsNullOrWhiteSpace))
                    throw new SoraValidationException("InvalidBlend", "Blend", "A blend takes exactly two generation ids.");
                request.Operation = "blend";
            }
            else if (!string.IsNullOrEmpty(s.RemixOf))
            {
                request.Operation = "remix";
            }
            else
            {
                request.Operation = "simple_compose";
            }
            if (s.ImageFrame.HasValue && (s.ImageFrame < 0 || s.ImageFrame >= request.Duration.Value * FramesPerSecond))
                throw new SoraValidationException("InvalidImageFrame", "ImageFrame", $"ImageFrame must be a frame of the video: 0..{request.Duration.Value * FramesPerSecond - 1}.");
        }

        public override HttpRequestMessage BuildSubmit(SoraProfile profile, ValidatedRequest r)
        {
            var (w, h) = SizeFor(r.AspectRatio, r.Resolution);
            var body = new Dictionary<string, object?>
            {
                ["type"] = "video_gen",
                ["prompt"] = r.Prompt,
                ["width"] = w,
                ["height"] = h,
                ["n_frames"] = r.Duration.Value * FramesPerSecond,
                ["n_variants"] = 1,
                ["style"] = "natural",
                ["model"] = r.Model,
                ["operation"] = r.Operation,
            };
            var s = r.Source;
            var items = new List<object>();
            if (r.ImageUri != null)
                items.Add(new Dictionary<string, object?> { ["type"] = "image", ["url"] = r.ImageUri.AbsoluteUri, ["frame_index"] = s.ImageFrame ?? 0 });
            switch (r.Operation)
            {
                case "storyboard":
                    // The storyboard operation is chosen for a request with beats.
                    body["actions"] = s.Storyboard!.OrderBy(b => b.Time).Select(b => new Dictionary<string, object?> { ["time"] = b.Time, ["description"] = b.Description }).ToList();
                    break;
                case "remix":
                    body["sdedit"] = new Dictionary<string, object?>
                    {
                        ["amount"] = RemixAmount(s.RemixStrength),
                        ["source_generation_id"] = s.RemixOf,
                        ["source_upload_media_id"] = null,
                    };
                    break;
                case "blend":
                    // The seed names the operation but not its inputs: the two sources travel as inpaint items by generation id.
                    var frames = r.Duration.Value * FramesPerSecond;
                    var blend = s.Blend!; // the blend operation is chosen for a request with sources
                    items.Add(new Dictionary<string, object?> { ["type"] = "image", ["generation_id"] = blend[0], ["frame_index"] = 0, ["source_start_frame"] = 0, ["source_end_frame"] = frames - 1 });
                    items.Add(new Dictionary<string, object?> { ["type"] = "image", ["generation_id"] = blend[1], ["frame_index"] = 0, ["source_start_frame"] = 0, ["source_end_frame"] = frames - 1 });
                    break;
            }
            if (items.Count > 0) body["inpaint_items"] = items;
            return JsonPost(Endpoint(profile.BaseUri, "sora/v1/videos"), body, s.ProviderOptions);
        }

        public override SoraTask ParseSubmit(ProviderResponse response, ValidatedRequest request, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "submission"))
            {
                var root = doc.RootElement;
                var code = root.Str("code");
                if (!string.IsNullOrEmpty(code) && !string.Equals(code, "success", StringComparison.OrdinalIgnoreCase) && code != "0" && code != "200")
                {
                    var message = root.Str("message") ?? "the provider refused the request";
                    var kind = ErrorIds.KindFromCode(code);
                    if (kind == SoraErrorKind.Unknown) kind = ErrorIds.KindFromReason(message);
                    throw new SoraApiException(kind == SoraErrorKind.Unknown ? SoraErrorKind.InvalidParameter : kind, response.StatusCode, code,
                        Redactor.Redact($"SoraWeb provider refused the request ({code}): {message}"), Redactor.Redact(response.Body));
                }
                var data = root.Prop("data");
                var id = data?.ValueKind == JsonValueKind.String ? data.Value.GetString() : data?.ValueKind == JsonValueKind.Object ? (data.Value.Str("id") ?? data.Value.Str("task_id")) : null;
                return AcceptedTask(id, response, request, profile, "pending");
            }
        }

        public override HttpRequestMessage BuildQuery(SoraProfile profile, string id) =>
            SettingPath(HttpMethod.Get, profile, QueryPath, id);

        public override SoraTask ParseTask(ProviderResponse response, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "task"))
            {
                var root = doc.RootElement;
                root = UnwrapData(root, "id", "task_id");
                var detail = root.Prop("detail");
                var d = detail?.ValueKind == JsonValueKind.Object ? detail.Value : root;
                var task = TaskFrom(response, profile, root.Str("id") ?? root.Str("task_id"), "task", d.Str("status") ?? root.Str("status"));
                task.Progress = d.Path("pending_info", "progress_pct").Percent(fraction: true)
                                ?? d.Prop("progress_pct").Percent(fraction: true)
                                ?? root.Prop("progress_pct").Percent(fraction: true)
                                ?? root.Prop("progress").Percent() ?? 0;
                task.Prompt = d.Str("prompt") ?? root.Str("prompt");
                task.CreatedAt = root.Prop("created_at").Time() ?? d.Prop("created_at").Time();
                var gens = d.Prop("generations") ?? root.Prop("generations");
                if (gens?.ValueKind == JsonValueKind.Array)
                {
                    foreach (var g in gens.Value.EnumerateArray())
                    {
                        var url = g.Str("url") ?? g.Path("encodings", "source", "path").Str() ?? g.Path("encodings", "md", "path").Str();
                        var video = ResultUri(profile, url, response.Body);
                        if (video == null) continue;
                        task.VideoUri = video;
                        task.GenerationId = g.Str("id");
                        (task.AspectRatio, task.Resolution) = Sizes.Describe(g.Prop("width").Int(), g.Prop("height").Int());
                        var frames = g.Prop("n_frames").Int();
                        if (frames.HasValue) task.Duration = frames.Value / FramesPerSecond;
                        break;
                    }
                }
                var reason = d.Str("failure_reason") ?? root.Str("failure_reason") ?? d.Str("moderation_result") ?? root.Str("fail_reason");
                if (task.Status == SoraTaskStatus.Failed) MarkFailed(task, null, reason);
                if (task.Status == SoraTaskStatus.Succeeded)
                    MarkSucceeded(task, "succeeded but no generation carries a video URL.", response.Body);
                return task;
            }
        }
    }
}
