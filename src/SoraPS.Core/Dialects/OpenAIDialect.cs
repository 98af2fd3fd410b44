using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// OpenAI's Videos API shape (<c>POST /v1/videos</c>), served by OpenAI and by many relays.
    /// <c>seconds</c> is a string, the size is WIDTHxHEIGHT, the video is fetched from <c>/content</c> with the key.
    /// Other hosts of the same shape derive from it and change where the API lives (<see cref="Videos"/>) and how it authenticates.
    /// </summary>
    public class OpenAIDialect : SoraDialect
    {
        private static readonly Regex Dated = new Regex(@"^sora-2-\d{4}-\d{2}-\d{2}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex DatedPro = new Regex(@"^sora-2-pro-\d{4}-\d{2}-\d{2}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>The lengths an extension may add: 4, 8, 12, 16 or 20 s, as the API's description of extension <c>seconds</c> says.</summary>
        private static readonly int[] ExtensionSeconds = { 4, 8, 12, 16, 20 };

        /// <summary>OpenAI switched off Sora 2 and its Videos API on this day; relays and Azure keep the shape.</summary>
        public static readonly DateTimeOffset SoraShutdown = new DateTimeOffset(2026, 9, 24, 0, 0, 0, TimeSpan.Zero);

        /// <summary>The catalog of OpenAI's own models.</summary>
        private static readonly ModelSpec[] OpenAIModels =
        {
            new ModelSpec("sora-2", new[] { 4, 8, 12 }, 4, new[] { "9:16", "16:9" }, "9:16", new[] { "720p" }, "720p", 32000, ImageInput.UrlOrFile)
                { Matches = m => Dated.IsMatch(m), UsdPerSecond = new Dictionary<string, double> { ["720p"] = 0.10 }, ExtendDurations = ExtensionSeconds, RetiredOn = SoraShutdown },
            new ModelSpec("sora-2-pro", new[] { 4, 8, 12 }, 4, new[] { "9:16", "16:9" }, "9:16", new[] { "720p", "1024p" }, "720p", 32000, ImageInput.UrlOrFile)
                { Matches = m => DatedPro.IsMatch(m), UsdPerSecond = new Dictionary<string, double> { ["720p"] = 0.30, ["1024p"] = 0.50 }, ExtendDurations = ExtensionSeconds, RetiredOn = SoraShutdown },
        };

        private static readonly StatusTable Words = new StatusTable
        {
            { SoraTaskStatus.Queued, "queued", "pending" },
            { SoraTaskStatus.Running, "in_progress", "processing", "running" },
            { SoraTaskStatus.Succeeded, "completed", "succeeded" },
            { SoraTaskStatus.Failed, "failed" },
            { SoraTaskStatus.Cancelled, "cancelled", "canceled" },
            { SoraTaskStatus.Expired, "expired" },
        };

        private static readonly DialectCapabilities Can = new DialectCapabilities(
            DialectOperation.Query | DialectOperation.List | DialectOperation.ListOrder | DialectOperation.Delete | DialectOperation.Remix |
            DialectOperation.Edit | DialectOperation.Extend | DialectOperation.Characters | DialectOperation.ImageFileId,
            DownloadVariant.Video, DownloadVariant.Thumbnail, DownloadVariant.Spritesheet);

        private static readonly SizeTable Sizes = new SizeTable()
            .Add("9:16", "720p", 720, 1280).Add("16:9", "720p", 1280, 720)
            .Add("9:16", "1024p", 1024, 1792).Add("16:9", "1024p", 1792, 1024);

        public override string Name => "OpenAI";
        public override string Description => "OpenAI Videos API shape: POST /v1/videos, GET /v1/videos/{id}, /content download";
        public override IReadOnlyList<ModelSpec> Models => OpenAIModels;
        public override StatusTable Statuses => Words;
        public override DialectCapabilities Capabilities => Can;

        private static readonly SentField[] Sent =
        {
            SentField.Model(), SentField.Duration("seconds"), SentField.Derived("size", "-Resolution (a pixel size such as 1280x720 works) and -AspectRatio"),
        };

        public override IReadOnlyList<SentField> SentFields => Sent;

        /// <summary>A remix sends only the new prompt: the provider makes it at its source's length.</summary>
        public override bool RemixKeepsSourceLength => true;

        /// <summary>The videos endpoint below the profile's BaseUri, with <paramref name="rest"/> ("/{id}/content") after it.</summary>
        protected virtual Uri Videos(SoraProfile profile, string rest = "") => Endpoint(profile.BaseUri, "v1/videos" + rest);

        private Uri Video(SoraProfile profile, string id, string rest = "") => Videos(profile, "/" + Uri.EscapeDataString(id) + rest);

        public static string? SizeFor(string aspect, string resolution) => Sizes.SizeText(aspect, resolution);

        public override string? SizeOf(string aspectRatio, string resolution) => SizeFor(aspectRatio, resolution);

        public override HttpRequestMessage BuildSubmit(SoraProfile profile, ValidatedRequest r)
        {
            if (!string.IsNullOrEmpty(r.Source.RemixOf))
            {
                // Remix keeps the source's length and size; only the new prompt is sent.
                var remix = new Dictionary<string, object?> { ["prompt"] = r.Prompt };
                return JsonPost(Video(profile, r.Source.RemixOf!, "/remix"), remix, r.Source.ProviderOptions);
            }
            if (!string.IsNullOrEmpty(r.Source.EditOf))
            {
                // An edit keeps the source's length and size: the source and the prompt are all it takes.
                var edit = new Dictionary<string, object?> { ["video"] = VideoReference(r.Source.EditOf!), ["prompt"] = r.Prompt };
                return JsonPost(Videos(profile, "/edits"), edit, r.Source.ProviderOptions);
            }
            if (!string.IsNullOrEmpty(r.Source.ExtendOf))
            {
                var extension = new Dictionary<string, object?>
                {
                    ["video"] = VideoReference(r.Source.ExtendOf!),
                    ["prompt"] = r.Prompt,
                    ["seconds"] = r.Duration.Value.ToString(CultureInfo.InvariantCulture),
                };
                return JsonPost(Videos(profile, "/extensions"), extension, r.Source.ProviderOptions);
            }
            var uri = Videos(profile);
            var seconds = r.Duration.Value.ToString(CultureInfo.InvariantCulture);
            var size = SizeFor(r.AspectRatio, r.Resolution);
            if (r.ImagePath != null)
            {
                var form = new MultipartFormDataContent();
                AddPart(form, new StringContent(r.Model), "model");
                AddPart(form, new StringContent(r.Prompt), "prompt");
                AddPart(form, new StringContent(seconds), "seconds");
                AddPart(form, new StringContent(size ?? throw new InvalidOperationException($"No pixel size is known for {r.AspectRatio} at {r.Resolution}.")), "size");
                var file = new ByteArrayContent(File.ReadAllBytes(r.ImagePath));
                file.Headers.ContentType = new MediaTypeHeaderValue(ImageMediaType(r.ImagePath));
                AddPart(form, file, "input_reference", Path.GetFileName(r.ImagePath));
                if (r.Source.Characters != null && r.Source.Characters.Count > 0)
                    AddPart(form, new StringContent(JsonSerializer.Serialize(CharacterReferences(r.Source.Characters))), "characters");
                if (r.Source.ProviderOptions != null)
                    foreach (var kv in r.Source.ProviderOptions)
                        AddPart(form, new StringContent(Convert.ToString(Plain(kv.Value), CultureInfo.InvariantCulture) ?? ""), kv.Key);
                return new HttpRequestMessage(HttpMethod.Post, uri) { Content = form };
            }
            var body = new Dictionary<string, object?>
            {
                ["model"] = r.Model,
                ["prompt"] = r.Prompt,
                ["seconds"] = seconds,
                ["size"] = size,
            };
            if (r.ImageUri != null) body["input_reference"] = new Dictionary<string, object?> { ["image_url"] = r.ImageUri.AbsoluteUri };
            if (!string.IsNullOrEmpty(r.Source.ImageFileId)) body["input_reference"] = new Dictionary<string, object?> { ["file_id"] = r.Source.ImageFileId };
            if (r.Source.Characters != null && r.Source.Characters.Count > 0) body["characters"] = CharacterReferences(r.Source.Characters);
            return JsonPost(uri, body, r.Source.ProviderOptions);
        }

        private static Dictionary<string, object?> VideoReference(string id) => new Dictionary<string, object?> { ["id"] = id };

        /// <summary><c>[{id}]</c>, each character once.</summary>
        private static List<object> CharacterReferences(IEnumerable<string> ids) =>
            ids.Distinct(StringComparer.Ordinal).Select(id => (object)new Dictionary<string, object> { ["id"] = id }).ToList();

        protected override void ValidateMore(ValidatedRequest request, ModelSpec spec)
        {
            if (!string.IsNullOrEmpty(request.Source.RemixOf) && (request.ImageUri != null || request.ImagePath != null || !string.IsNullOrEmpty(request.Source.ImageFileId)))
                throw new SoraValidationException("RemixWithImage", "Image", "A remix starts from the source video; leave -Image out.");
            if (!string.IsNullOrEmpty(request.Source.RemixOf)) request.Operation = "remix";
        }

        public override HttpRequestMessage BuildDelete(SoraProfile profile, string id) =>
            new HttpRequestMessage(HttpMethod.Delete, Video(profile, id));

        public override HttpRequestMessage BuildList(SoraProfile profile, string? after, int limit) => BuildList(profile, after, limit, false);

        public override HttpRequestMessage BuildList(SoraProfile profile, string? after, int limit, bool ascending)
        {
            var query = "?limit=" + limit.ToString(CultureInfo.InvariantCulture) + (ascending ? "&order=asc" : "&order=desc") + (string.IsNullOrEmpty(after) ? "" : "&after=" + Uri.EscapeDataString(after));
            return new HttpRequestMessage(HttpMethod.Get, new Uri(Videos(profile).AbsoluteUri + query));
        }

        /// <summary>Multipart <c>POST /v1/videos/characters</c>: the video file and the character's name.</summary>
        public override HttpRequestMessage BuildCreateCharacter(SoraProfile profile, string videoPath, string name)
        {
            var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(File.ReadAllBytes(videoPath));
            file.Headers.ContentType = new MediaTypeHeaderValue(VideoMediaType(videoPath));
            AddPart(form, file, "video", Path.GetFileName(videoPath));
            AddPart(form, new StringContent(name), "name");
            return new HttpRequestMessage(HttpMethod.Post, Videos(profile, "/characters")) { Content = form };
        }

        public override HttpRequestMessage BuildGetCharacter(SoraProfile profile, string id) =>
            new HttpRequestMessage(HttpMethod.Get, Videos(profile, "/characters/" + Uri.EscapeDataString(id)));

        public override SoraCharacter ParseCharacter(ProviderResponse response, SoraProfile? profile)
        {
            using (var doc = ParseBody(response, "character"))
            {
                var root = doc.RootElement;
                return new SoraCharacter(RequireId(root.Str("id"), response, "character"), root.Str("name"), root.Prop("created_at").Time(), profile?.Name) { Raw = response.Body };
            }
        }

        internal static string VideoMediaType(string path)
        {
            switch (Path.GetExtension(path).ToLowerInvariant())
            {
                case ".mov": return "video/quicktime";
                case ".webm": return "video/webm";
                default: return "video/mp4";
            }
        }

        public override IReadOnlyList<SoraTask> ParseList(ProviderResponse response, SoraProfile profile, out string? next) =>
            ParseDataList(response, profile, "video list", out next);

        /// <summary>
        /// A form part as RFC 7578 writes it: <c>name="…"</c> and <c>filename="…"</c> quoted, no <c>filename*</c>
        /// (.NET's own Add leaves both unquoted and adds filename*, which some servers' parsers refuse).
        /// </summary>
        private static void AddPart(MultipartFormDataContent form, HttpContent content, string name, string? fileName = null)
        {
            var disposition = new ContentDispositionHeaderValue("form-data") { Name = "\"" + QuotablePart(name) + "\"" };
            if (fileName != null) disposition.FileName = "\"" + QuotablePart(fileName) + "\"";
            content.Headers.ContentDisposition = disposition;
            form.Add(content);
        }

        /// <summary>Printable ASCII without quote or backslash: anything else becomes '_' (the part's Content-Type carries the type).</summary>
        private static string QuotablePart(string value) =>
            new string(value.Select(c => c < 0x20 || c > 0x7e || c == '"' || c == '\\' ? '_' : c).ToArray());

        internal static string ImageMediaType(string path)
        {
            switch (Path.GetExtension(path).ToLowerInvariant())
            {
                case ".png": return "image/png";
                case ".webp": return "image/webp";
                default: return "image/jpeg";
            }
        }

        public override SoraTask ParseSubmit(ProviderResponse response, ValidatedRequest request, SoraProfile profile)
        {
            return FillFromRequest(ParseTask(response, profile), request);
        }

        public override HttpRequestMessage BuildQuery(SoraProfile profile, string id) =>
            new HttpRequestMessage(HttpMethod.Get, Video(profile, id));

        public override SoraTask ParseTask(ProviderResponse response, SoraProfile profile)
        {
            using (var doc = ParseBody(response, "video"))
            {
                var root = doc.RootElement;
                var task = TaskFrom(response, profile, root.Str("id"), "video", root.Str("status"));
                task.Progress = root.Prop("progress").Percent() ?? 0;
                task.Model = root.Str("model");
                task.Prompt = root.Str("prompt");
                task.CreatedAt = root.Prop("created_at").Time();
                task.CompletedAt = root.Prop("completed_at").Time();
                task.ExpiresAt = root.Prop("expires_at").Time();
                task.Duration = root.Prop("seconds").Int();
                var size = root.Str("size");
                if (!string.IsNullOrEmpty(size))
                {
                    (task.AspectRatio, task.Resolution) = Sizes.Describe(size);
                    task.Resolution = task.Resolution ?? size;
                }
                task.Error = ErrorMember(root.Prop("error"));
                if (task.Status == SoraTaskStatus.Failed) MarkFailed(task, task.Error, null);
                if (task.Status == SoraTaskStatus.Succeeded)
                {
                    // Relays of this shape may name their own link; the provider's /content otherwise.
                    var link = RelayLink(root, VideoLinks);
                    task.VideoUri = link != null ? ResultUri(profile, link, response.Body) : Video(profile, task.Id, "/content");
                    MarkSucceeded(task, null, response.Body);
                }
                var hint = Hints.Milliseconds(response.Header("openai-poll-after-ms"), Hints.MaxPollHint);
                if (hint > TimeSpan.Zero) task.PollAfter = hint;
                return task;
            }
        }

        protected override Uri DownloadUri(SoraProfile profile, SoraTask task, DownloadVariant variant)
        {
            var uri = Video(profile, task.Id, "/content");
            if (variant.IsVideo) return task.VideoUri ?? uri;
            // A relay that names its links may name the thumbnail's too (thumbnail_url beside url).
            var own = variant == DownloadVariant.Thumbnail ? ThumbnailLink(profile, task) : null;
            return own ?? new Uri(uri.AbsoluteUri + "?variant=" + variant.Name);
        }

        /// <summary>Where relays of this shape put a finished video's link: metadata.url, metadata.video_url, video_url, url.</summary>
        private static readonly string[][] VideoLinks = { new[] { "metadata", "url" }, new[] { "metadata", "video_url" }, new[] { "video_url" }, new[] { "url" } };

        private static string? RelayLink(JsonElement root, string[][] places)
        {
            foreach (var place in places)
            {
                var value = root.Path(place);
                if (value?.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.Value.GetString())) return value.Value.GetString();
            }
            return null;
        }

        /// <summary>The thumbnail_url of the task's last answer, when the relay gave one.</summary>
        private static Uri? ThumbnailLink(SoraProfile profile, SoraTask task)
        {
            using (var doc = Json.TryParse(task.Raw))
            {
                if (doc == null || doc.RootElement.ValueKind != JsonValueKind.Object) return null;
                var link = RelayLink(doc.RootElement, new[] { new[] { "thumbnail_url" }, new[] { "metadata", "thumbnail_url" } });
                return link == null ? null : ResultUri(profile, link, task.Raw);
            }
        }
    }
}
