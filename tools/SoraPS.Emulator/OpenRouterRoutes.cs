using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SoraPS.Emulator
{
    /// <summary>
    /// OpenRouter's video API under /openrouter (published spec openrouter-videos.published.yaml): 202 answers with
    /// <c>{id, polling_url, status}</c>, the status words pending, in_progress, completed, failed, cancelled; usage.cost
    /// on a finished job; the content endpoint (Bearer) with <c>?index=N</c>; the model list; <c>{error:{code, message}}</c>
    /// bodies with integer codes. Prompt markers: <c>[quota]</c> 402, <c>[ratelimit]</c> 429, <c>[upstream]</c> 500,
    /// <c>[fail:moderation]</c>/<c>[fail:timeout]</c> a failed job with an error text, <c>[outputs:N]</c> N videos,
    /// <c>[signed]</c> signed links in <c>urls[]</c> on another origin (localhost instead of 127.0.0.1).
    /// A deprecated model answers with Deprecation and Sunset headers; a retired one is refused with 410.
    /// </summary>
    internal static class OpenRouterRoutes
    {
        private static readonly string[] Fields =
        {
            "aspect_ratio", "callback_url", "creativity", "duration", "frame_images", "generate_audio", "input_references", "model",
            "prompt", "provider", "resolution", "seed", "size", "upscale_factor",
        };

        private static readonly string[] Resolutions = { "480p", "720p", "768p", "1080p", "1K", "2K", "4K" };
        private static readonly string[] Aspects = { "16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21" };

        /// <summary>What the emulator's account can use: the model list it serves and validates against.</summary>
        internal sealed class Model
        {
            public string Id = "";
            public string Name = "";
            public int[] Durations = Array.Empty<int>();
            public string[] Resolutions = Array.Empty<string>();
            public string[] Aspects = Array.Empty<string>();
            public string[] Frames = Array.Empty<string>();
            public bool Audio;
            public Dictionary<string, string>? Pricing;
            public string? SunsetDate;
            public string? RetiredFor;
        }

        internal static readonly Model[] Models =
        {
            new Model { Id = "google/veo-3.1", Name = "Google: Veo 3.1", Durations = new[] { 4, 6, 8 }, Resolutions = new[] { "720p", "1080p" }, Aspects = new[] { "16:9", "9:16" },
                Frames = new[] { "first_frame", "last_frame" }, Audio = true, Pricing = new Dictionary<string, string> { ["video_seconds_720p"] = "0.40", ["video_seconds_1080p"] = "0.40", ["video_seconds_with_audio"] = "0.40" } },
            new Model { Id = "google/veo-3.1-fast", Name = "Google: Veo 3.1 Fast", Durations = new[] { 4, 6, 8 }, Resolutions = new[] { "720p", "1080p" }, Aspects = new[] { "16:9", "9:16" },
                Frames = new[] { "first_frame", "last_frame" }, Audio = true, Pricing = new Dictionary<string, string> { ["video_seconds"] = "0.15" } },
            new Model { Id = "alibaba/wan-2.7", Name = "Alibaba: Wan 2.7", Durations = new[] { 5, 10 }, Resolutions = new[] { "720p", "1080p" }, Aspects = new[] { "16:9", "9:16", "1:1" },
                Frames = new[] { "first_frame", "last_frame" }, Audio = false, Pricing = new Dictionary<string, string> { ["generate"] = "0.50" } },
            new Model { Id = "minimax/hailuo-02", Name = "MiniMax: Hailuo 02", Durations = new[] { 6, 10 }, Resolutions = new[] { "768p", "1080p" }, Aspects = new[] { "16:9" },
                Frames = new[] { "first_frame" }, Audio = false, Pricing = null, SunsetDate = "Sat, 31 Oct 2026 00:00:00 GMT" },
            new Model { Id = "openai/sora-2-pro", Name = "OpenAI: Sora 2 Pro", Durations = new[] { 4, 8, 12 }, Resolutions = new[] { "720p" }, Aspects = new[] { "16:9", "9:16" },
                Frames = new[] { "first_frame" }, Audio = true, Pricing = null, RetiredFor = "google/veo-3.1" },
        };

        public static void Map(WebApplication app, SoraEmulator emu)
        {
            app.MapPost("/openrouter/api/v1/videos", ctx => Create(ctx, emu));
            app.MapGet("/openrouter/api/v1/videos/models", ctx => ModelList(ctx));
            app.MapGet("/openrouter/api/v1/videos/{jobId}", ctx => Get(ctx, emu));
            app.MapGet("/openrouter/api/v1/videos/{jobId}/content", ctx => Content(ctx, emu));
        }

        internal static IResult Error(int status, string message, Dictionary<string, object?>? metadata = null)
        {
            var e = new Dictionary<string, object?> { ["code"] = status, ["message"] = message };
            if (metadata != null) e["metadata"] = metadata;
            return SoraEmulator.Json(new Dictionary<string, object?> { ["error"] = e }, status);
        }

        private static Task Fail(HttpContext ctx, int status, string message, Dictionary<string, object?>? metadata = null) => Error(status, message, metadata).ExecuteAsync(ctx);

        private static async Task Create(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) { await Fail(ctx, 401, "Missing Authentication header"); return; }
            var body = await RouteHelpers.ReadObject(ctx.Request);
            if (body == null) { await Fail(ctx, 400, "Request body must be a JSON object"); return; }
            var root = body.Value;
            var unknown = RouteHelpers.UnknownField(root, Fields);
            if (unknown != null) { await Fail(ctx, 400, $"Unrecognized field '{unknown}'"); return; }
            var id = RouteHelpers.Str(root, "model");
            if (id == null) { await Fail(ctx, 400, "model is required"); return; }
            var model = Models.FirstOrDefault(m => m.Id == id);
            if (model == null) { await Fail(ctx, 400, $"Model {id} is not a video generation model"); return; }
            if (model.RetiredFor != null)
            {
                await Fail(ctx, 410, $"Model {id} is no longer available: its provider retired it on 2026-09-24. Use {model.RetiredFor} instead.",
                    new Dictionary<string, object?> { ["replacement"] = model.RetiredFor, ["sunset_date"] = "2026-09-24" });
                return;
            }
            var prompt = RouteHelpers.Str(root, "prompt") ?? "";
            if (prompt.Length == 0) { await Fail(ctx, 400, "prompt is required by this model"); return; }
            var duration = model.Durations.Max();
            if (root.TryGetProperty("duration", out var d))
            {
                if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out duration)) { await Fail(ctx, 400, "duration must be an integer"); return; }
                if (!model.Durations.Contains(duration)) { await Fail(ctx, 400, $"duration {duration} is not supported by {id}; supported: {string.Join(", ", model.Durations)}"); return; }
            }
            var resolution = RouteHelpers.Str(root, "resolution");
            if (RouteHelpers.Has(root, "resolution") && (resolution == null || !Resolutions.Contains(resolution) || !model.Resolutions.Contains(resolution)))
            { await Fail(ctx, 400, $"resolution '{resolution}' is not supported by {id}"); return; }
            var aspect = RouteHelpers.Str(root, "aspect_ratio");
            if (RouteHelpers.Has(root, "aspect_ratio") && (aspect == null || !Aspects.Contains(aspect) || !model.Aspects.Contains(aspect)))
            { await Fail(ctx, 400, $"aspect_ratio '{aspect}' is not supported by {id}"); return; }
            var problem = CheckImages(root, model);
            if (problem != null) { await Fail(ctx, 400, problem); return; }
            if (root.TryGetProperty("generate_audio", out var ga) && ga.ValueKind != JsonValueKind.True && ga.ValueKind != JsonValueKind.False)
            { await Fail(ctx, 400, "generate_audio must be a boolean"); return; }
            if (root.TryGetProperty("seed", out var seed) && (seed.ValueKind != JsonValueKind.Number || !seed.TryGetInt64(out _)))
            { await Fail(ctx, 400, "seed must be an integer"); return; }
            if (root.TryGetProperty("provider", out var pv) && pv.ValueKind != JsonValueKind.Object)
            { await Fail(ctx, 400, "provider must be an object"); return; }
            if (root.TryGetProperty("callback_url", out var cb) && !(cb.ValueKind == JsonValueKind.String && (cb.GetString() ?? "").StartsWith("https://", StringComparison.Ordinal)))
            { await Fail(ctx, 400, "callback_url must be an HTTPS URL"); return; }
            if (prompt.Contains("[quota]")) { await Fail(ctx, 402, "Insufficient credits. Add more using https://openrouter.ai/credits"); return; }
            if (prompt.Contains("[ratelimit]")) { await Fail(ctx, 429, "Rate limit exceeded"); return; }
            if (prompt.Contains("[upstream]")) { await Fail(ctx, 500, "Internal Server Error"); return; }
            var outputs = Regex.Match(prompt, @"\[outputs:(\d)\]");
            var task = new EmuTask
            {
                Id = emu.State.NextId("vgen-"),
                Dialect = "openrouter",
                Model = id,
                Prompt = prompt,
                Seconds = duration,
                Size = resolution ?? model.Resolutions[0],
                AspectRatio = aspect ?? model.Aspects[0],
                Created = DateTimeOffset.UtcNow,
                Duration = RouteHelpers.DurationFor(emu, prompt),
                Failure = RouteHelpers.FailureMarker(prompt),
            };
            task.Extra["outputs"] = outputs.Success ? int.Parse(outputs.Groups[1].Value, CultureInfo.InvariantCulture) : 1;
            task.Extra["signed"] = prompt.Contains("[signed]");
            task.Extra["cost"] = Math.Round(duration * (model.Id == "google/veo-3.1-fast" ? 0.15 : 0.40), 4);
            emu.State.Tasks[task.Id] = task;
            if (model.SunsetDate != null)
            {
                ctx.Response.Headers["Deprecation"] = "@1788220800";
                ctx.Response.Headers["Sunset"] = model.SunsetDate;
            }
            await SoraEmulator.Json(new Dictionary<string, object?>
            {
                ["id"] = task.Id,
                ["polling_url"] = "/api/v1/videos/" + task.Id,
                ["status"] = "pending",
            }, 202).ExecuteAsync(ctx);
        }

        /// <summary>frame_images (FrameImage: type image_url, image_url.url, frame_type) and input_references (image parts).</summary>
        private static string? CheckImages(JsonElement root, Model model)
        {
            if (root.TryGetProperty("frame_images", out var frames))
            {
                if (frames.ValueKind != JsonValueKind.Array) return "frame_images must be an array";
                foreach (var f in frames.EnumerateArray())
                {
                    var problem = ImagePart(f, "frame_images");
                    if (problem != null) return problem;
                    var type = f.TryGetProperty("frame_type", out var ft) && ft.ValueKind == JsonValueKind.String ? ft.GetString() : null;
                    if (type != "first_frame" && type != "last_frame") return "frame_images[].frame_type must be first_frame or last_frame";
                    if (!model.Frames.Contains(type)) return $"{model.Id} does not support {type}";
                }
            }
            if (root.TryGetProperty("input_references", out var refs))
            {
                if (refs.ValueKind != JsonValueKind.Array) return "input_references must be an array";
                foreach (var r in refs.EnumerateArray())
                {
                    var problem = ImagePart(r, "input_references");
                    if (problem != null) return problem;
                }
            }
            return null;
        }

        private static string? ImagePart(JsonElement part, string field)
        {
            if (part.ValueKind != JsonValueKind.Object || RouteHelpers.Str(part, "type") != "image_url") return field + "[].type must be image_url";
            if (!part.TryGetProperty("image_url", out var iu) || iu.ValueKind != JsonValueKind.Object) return field + "[].image_url must be an object";
            var url = RouteHelpers.Str(iu, "url");
            if (url == null || !(RouteHelpers.IsHttpUrl(url) || Regex.IsMatch(url, @"^data:image/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+$")))
                return field + "[].image_url.url must be an http(s) URL or a base64 data URL of an image";
            return null;
        }

        private static Dictionary<string, object?> JobObject(SoraEmulator emu, EmuTask t, HttpContext ctx)
        {
            var (phase, _) = t.StateAt(DateTimeOffset.UtcNow);
            var status = phase == "queued" ? "pending" : phase == "running" ? "in_progress" : phase;
            var o = new Dictionary<string, object?>
            {
                ["id"] = t.Id,
                ["polling_url"] = "/api/v1/videos/" + t.Id,
                ["status"] = status,
            };
            if (phase != "queued") o["generation_id"] = "gen-" + t.Id;
            if (phase == "completed")
            {
                var count = (int)t.Extra["outputs"];
                var req = ctx.Request;
                o["unsigned_urls"] = Enumerable.Range(0, count).Select(i => $"{req.Scheme}://{req.Host}/openrouter/api/v1/videos/{t.Id}/content?index={i}").ToArray();
                if ((bool)t.Extra["signed"])
                    o["urls"] = Enumerable.Range(0, count).Select(i => $"{req.Scheme}://localhost:{req.Host.Port}/cdn/openrouter/{t.Id}/{i}.mp4?sig=emulated").ToArray();
                o["usage"] = new Dictionary<string, object?> { ["cost"] = t.Extra["cost"], ["is_byok"] = false };
            }
            if (phase == "failed")
                o["error"] = t.Failure == "moderation" ? "Provider returned error: the request was rejected by the content moderation policy" : "Provider returned error: generation timed out";
            return o;
        }

        private static Task Get(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) return Fail(ctx, 401, "Missing Authentication header");
            var id = RouteHelpers.RouteValue(ctx, "jobId");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "openrouter") return Fail(ctx, 404, "Resource not found");
            return SoraEmulator.Json(JobObject(emu, t, ctx)).ExecuteAsync(ctx);
        }

        private static Task Content(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) return Fail(ctx, 401, "Missing Authentication header");
            var id = RouteHelpers.RouteValue(ctx, "jobId");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "openrouter" || t.StateAt(DateTimeOffset.UtcNow).Phase != "completed")
                return Fail(ctx, 404, "Resource not found");
            var index = 0;
            var q = ctx.Request.Query["index"].ToString();
            if (q.Length > 0 && (!int.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out index))) return Fail(ctx, 400, "index must be an integer");
            if (index >= (int)t.Extra["outputs"]) return Fail(ctx, 404, "Resource not found");
            return RouteHelpers.VideoResult(emu, index == 0 ? id : id + "-" + index).ExecuteAsync(ctx);
        }

        private static Task ModelList(HttpContext ctx) =>
            SoraEmulator.Json(new Dictionary<string, object?>
            {
                ["data"] = Models.Where(m => m.RetiredFor == null).Select(m => new Dictionary<string, object?>
                {
                    ["id"] = m.Id,
                    ["canonical_slug"] = m.Id,
                    ["name"] = m.Name,
                    ["created"] = 1772323200,
                    ["description"] = m.Name + " video generation",
                    ["supported_resolutions"] = m.Resolutions,
                    ["supported_aspect_ratios"] = m.Aspects,
                    ["supported_sizes"] = null,
                    ["supported_durations"] = m.Durations,
                    ["supported_frame_images"] = m.Frames,
                    ["upscale_factor"] = null,
                    ["creativity"] = null,
                    ["generate_audio"] = m.Audio,
                    ["seed"] = true,
                    ["allowed_passthrough_parameters"] = Array.Empty<string>(),
                    ["pricing_skus"] = m.Pricing,
                }).ToList(),
            }).ExecuteAsync(ctx);
    }
}
