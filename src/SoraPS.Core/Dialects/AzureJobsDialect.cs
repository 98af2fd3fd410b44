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
    /// Azure OpenAI's Sora jobs API: <c>POST {base}/openai/v1/video/generations/jobs?api-version=preview</c>
    /// with n_seconds/width/height, <c>api-key</c> header auth. The job id is not the video id: the video
    /// is <c>…/video/generations/{generation_id}/content/video</c>.
    /// </summary>
    public sealed class AzureJobsDialect : SoraDialect
    {
        private static readonly SettingDeclaration ApiVersion = new SettingDeclaration("ApiVersion", SettingType.Text, "preview",
            "The api-version query value sent with every request.");

        private static readonly StatusTable Words = new StatusTable
        {
            { SoraTaskStatus.Queued, "queued" },
            { SoraTaskStatus.Running, "preprocessing", "running", "processing" },
            { SoraTaskStatus.Succeeded, "succeeded" },
            { SoraTaskStatus.Failed, "failed" },
            { SoraTaskStatus.Cancelled, "cancelled", "canceled" },
        };

        private static readonly DialectCapabilities Can = new DialectCapabilities(
            DialectOperation.Query | DialectOperation.List | DialectOperation.Delete, DownloadVariant.Video, DownloadVariant.Thumbnail)
        { Qualities = new[] { "high", "low" } };

        private static readonly SizeTable Sizes = new SizeTable()
            .Add("16:9", "480p", 854, 480).Add("9:16", "480p", 480, 854).Add("1:1", "480p", 480, 480)
            .Add("16:9", "720p", 1280, 720).Add("9:16", "720p", 720, 1280).Add("1:1", "720p", 720, 720)
            .Add("16:9", "1080p", 1920, 1080).Add("9:16", "1080p", 1080, 1920).Add("1:1", "1080p", 1080, 1080);

        private static readonly ModelSpec[] Table =
        {
            new ModelSpec("sora", Enumerable.Range(1, 20).ToArray(), 5, new[] { "16:9", "9:16", "1:1" }, "16:9", new[] { "480p", "720p", "1080p" }, "720p", 32000, ImageInput.None),
        };

        public override string Name => "AzureJobs";
        public override string Description => "Azure OpenAI Sora jobs: POST /openai/v1/video/generations/jobs, api-key header";
        public override IReadOnlyList<ModelSpec> Models => Table;
        public override AuthScheme Auth => AuthScheme.ApiKeyHeader;
        public override StatusTable Statuses => Words;
        public override DialectCapabilities Capabilities => Can;

        private static readonly SentField[] Sent =
        {
            SentField.Model(), SentField.Duration("n_seconds"), SentField.Derived("width", "-Resolution and -AspectRatio"),
            SentField.Derived("height", "-Resolution and -AspectRatio"), SentField.Count("n_variants"),
        };

        public override IReadOnlyList<SentField> SentFields => Sent;
        protected override IEnumerable<SettingDeclaration> OwnSettings => new[] { ApiVersion };

        /// <summary>Azure's error bodies: the common shape with the content filter's inner_error.</summary>
        public override SoraApiException ParseError(ProviderResponse response) => AzureErrors.Parse(Name, response);

        public static (int Width, int Height) SizeFor(string aspect, string resolution) => Sizes.SizeFor(aspect, resolution);

        public override string? SizeOf(string aspectRatio, string resolution) => Sizes.SizeText(aspectRatio, resolution);

        private static Uri Api(SoraProfile profile, string path)
        {
            var uri = Endpoint(profile.BaseUri, path);
            // ApiVersion is declared with a default, so it always has a value.
            return new Uri(uri.AbsoluteUri + "?api-version=" + Uri.EscapeDataString(SettingValue(profile, ApiVersion)!));
        }

        public override HttpRequestMessage BuildSubmit(SoraProfile profile, ValidatedRequest r)
        {
            var (w, h) = SizeFor(r.AspectRatio, r.Resolution);
            var body = new Dictionary<string, object?>
            {
                ["model"] = r.Model,
                ["prompt"] = r.Prompt,
                ["n_seconds"] = r.Duration.Value,
                ["width"] = w,
                ["height"] = h,
                ["n_variants"] = 1,
            };
            return JsonPost(Api(profile, "openai/v1/video/generations/jobs"), body, r.Source.ProviderOptions);
        }

        public override SoraTask ParseSubmit(ProviderResponse response, ValidatedRequest request, SoraProfile profile)
        {
            return FillFromRequest(ParseTask(response, profile), request);
        }

        public override HttpRequestMessage BuildQuery(SoraProfile profile, string id) =>
            new HttpRequestMessage(HttpMethod.Get, Api(profile, "openai/v1/video/generations/jobs/" + Uri.EscapeDataString(id)));

        public override SoraTask ParseTask(ProviderResponse response, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "job"))
            {
                var root = doc.RootElement;
                var task = TaskFrom(response, profile, root.Str("id"), "job", root.Str("status"));
                task.Progress = root.Prop("progress").Percent() ?? 0; // the jobs API reports no progress: the bar shows the status only
                task.Model = root.Str("model");
                task.Prompt = root.Str("prompt");
                task.CreatedAt = root.Prop("created_at").Time();
                task.CompletedAt = root.Prop("finished_at").Time();
                task.ExpiresAt = root.Prop("expires_at").Time();
                task.Duration = root.Prop("n_seconds").Int();
                (task.AspectRatio, task.Resolution) = Sizes.Describe(root.Prop("width").Int(), root.Prop("height").Int());
                var gens = root.Prop("generations");
                if (gens?.ValueKind == JsonValueKind.Array)
                    task.GenerationId = gens.Value.EnumerateArray().Select(g => g.Str("id")).FirstOrDefault(g => !string.IsNullOrEmpty(g));
                if (task.GenerationId != null)
                    task.VideoUri = Api(profile, "openai/v1/video/generations/" + Uri.EscapeDataString(task.GenerationId) + "/content/video");
                var reason = root.Str("failure_reason");
                if (task.Status == SoraTaskStatus.Failed) MarkFailed(task, null, reason, code: reason);
                if (task.Status == SoraTaskStatus.Succeeded)
                    MarkSucceeded(task, "succeeded but lists no generation to download.", response.Body, what: "Job");
                return task;
            }
        }

        /// <summary>GET …/jobs?api-version=…&amp;limit=&amp;after=: the account's jobs, newest first.</summary>
        public override HttpRequestMessage BuildList(SoraProfile profile, string? after, int limit)
        {
            var uri = Api(profile, "openai/v1/video/generations/jobs").AbsoluteUri + "&limit=" + limit.ToString(CultureInfo.InvariantCulture) +
                      (string.IsNullOrEmpty(after) ? "" : "&after=" + Uri.EscapeDataString(after));
            return new HttpRequestMessage(HttpMethod.Get, new Uri(uri));
        }

        public override IReadOnlyList<SoraTask> ParseList(ProviderResponse response, SoraProfile profile, out string? next) =>
            ParseDataList(response, profile, "job list", out next);

        public override HttpRequestMessage BuildDelete(SoraProfile profile, string id) =>
            new HttpRequestMessage(HttpMethod.Delete, Api(profile, "openai/v1/video/generations/jobs/" + Uri.EscapeDataString(id)));

        protected override Uri? DownloadUri(SoraProfile profile, SoraTask task, DownloadVariant variant) =>
            task.GenerationId == null ? null
                : Api(profile, "openai/v1/video/generations/" + Uri.EscapeDataString(task.GenerationId) + "/content/" + variant.Name);
    }
}
