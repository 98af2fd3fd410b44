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
    /// OneRouter (seed 001): one long synchronous <c>POST /v1/videos/generations</c> whose answer is the
    /// finished video. SoraPS still emits a task object, already Succeeded.
    /// </summary>
    public sealed class OneRouterDialect : SoraDialect
    {
        private static readonly StatusTable Words = new StatusTable { { SoraTaskStatus.Succeeded, "completed" } };
        private static readonly DialectCapabilities Can = new DialectCapabilities(DialectOperation.Synchronous);

        private static readonly ModelSpec[] Table =
        {
            new ModelSpec("sora-2-pro-image-to-video", new[] { 4, 8, 12 }, 4, new[] { "auto", "9:16", "16:9" }, "auto", new[] { "auto", "720p", "1080p" }, "auto", 5000, ImageInput.UrlOnly)
                { RequiresImage = true },
        };

        public override string Name => "OneRouter";
        public override string Description => "OneRouter: synchronous POST /v1/videos/generations answering with the finished video";
        public override IReadOnlyList<ModelSpec> Models => Table;
        public override StatusTable Statuses => Words;
        public override DialectCapabilities Capabilities => Can;
        public override TimeSpan? LinkLifetime => TimeSpan.FromHours(24);
        /// <summary>Generation happens while the request is open: allow a long time.</summary>
        public override TimeSpan SubmitTimeout => TimeSpan.FromMinutes(20);

        public override HttpRequestMessage BuildSubmit(SoraProfile profile, ValidatedRequest r)
        {
            var body = new Dictionary<string, object?>
            {
                ["model"] = r.Model,
                ["prompt"] = r.Prompt,
                ["resolution"] = r.Resolution,
                ["aspect_ratio"] = r.AspectRatio,
                ["duration"] = r.Duration.Value.ToString(CultureInfo.InvariantCulture),
                ["image_url"] = (r.ImageUri ?? throw new InvalidOperationException("The request was not validated: the model needs an image URL.")).AbsoluteUri,
                ["output_format"] = "url",
            };
            return JsonPost(Endpoint(profile.BaseUri, "v1/videos/generations"), body, r.Source.ProviderOptions);
        }

        public override SoraTask ParseSubmit(ProviderResponse response, ValidatedRequest request, SoraProfile profile)
        {
            return FillFromRequest(ParseTask(response, profile), request);
        }

        public override SoraTask ParseTask(ProviderResponse response, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "generation"))
            {
                var root = doc.RootElement;
                var data = root.Prop("data");
                JsonElement? first = null;
                if (data?.ValueKind == JsonValueKind.Array) first = data.Value.EnumerateArray().FirstOrDefault(e => e.ValueKind == JsonValueKind.Object);
                if (first == null || first.Value.ValueKind != JsonValueKind.Object)
                    throw new SoraProtocolException("The OneRouter answer has no 'data' entry with the video.", response.Body);
                var url = first.Value.Str("url");
                var video = ResultUri(profile, url, response.Body);
                if (video == null)
                    throw new SoraProtocolException("The OneRouter answer has no video URL in data[0].url.", response.Body);
                var id = first.Value.Str("video_id");
                if (id == null || id.Length == 0)
                    id = "onerouter-" + (root.Prop("created").Int()?.ToString(CultureInfo.InvariantCulture) ?? "") + "-" + Guid.NewGuid().ToString("N").Substring(0, 8);
                var task = NewTask(id, profile);
                task.Raw = response.Body;
                task.Status = SoraTaskStatus.Succeeded;
                task.ProviderStatus = "completed";
                task.VideoUri = video;
                var revised = first.Value.Str("revised_prompt");
                task.RevisedPrompt = string.IsNullOrEmpty(revised) ? null : revised;
                task.CreatedAt = root.Prop("created").Time() ?? task.RetrievedAt;
                MarkSucceeded(task, null, response.Body);
                return task;
            }
        }
    }
}
