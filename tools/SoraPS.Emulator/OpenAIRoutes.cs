using System;
using System.Globalization;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SoraPS.Emulator
{
    /// <summary>
    /// OpenAI Videos API shape under /openai: strict about field names and types, as the real API is.
    /// Other hosts of the same shape map it under their own path, tag and credential check.
    /// </summary>
    internal static class OpenAIRoutes
    {
        /// <summary>Where one host serves the shape: its tasks' tag and how it checks the key.</summary>
        internal sealed class Host
        {
            public Host(string tag, Func<HttpRequest, bool> authorized, Func<string, string?>? modelOf = null)
            {
                Tag = tag;
                Authorized = authorized;
                ModelOf = modelOf ?? (m => m);
            }

            public string Tag { get; }
            public Func<HttpRequest, bool> Authorized { get; }
            /// <summary>The OpenAI model a model name sent to this host stands for (a deployment's model); null when unknown.</summary>
            public Func<string, string?> ModelOf { get; }
        }

        private static readonly string[] Sizes = { "720x1280", "1280x720", "1024x1792", "1792x1024" };
        private static readonly string[] ProSizes = { "1024x1792", "1792x1024" };
        private static readonly Regex Model = new Regex(@"^sora-2(-pro)?(-\d{4}-\d{2}-\d{2})?$");

        public static void Map(WebApplication app, SoraEmulator emu) =>
            Map(app, emu, "/openai/v1/videos", new Host("openai", emu.IsAuthorized));

        public static void Map(WebApplication app, SoraEmulator emu, string path, Host host)
        {
            var g = app.MapGroup(path);
            g.MapPost("", ctx => Create(ctx, emu, host, null));
            g.MapPost("/{id}/remix", ctx => Create(ctx, emu, host, RouteHelpers.RouteValue(ctx, "id")));
            g.MapPost("/edits", ctx => Derive(ctx, emu, host, extend: false));
            g.MapPost("/extensions", ctx => Derive(ctx, emu, host, extend: true));
            g.MapPost("/characters", ctx => CreateCharacter(ctx, emu, host));
            g.MapGet("/characters/{id}", ctx => GetCharacter(ctx, emu, host));
            g.MapGet("", ctx => List(ctx, emu, host));
            g.MapGet("/{id}", ctx => Get(ctx, emu, host));
            g.MapDelete("/{id}", ctx => Delete(ctx, emu, host));
            g.MapGet("/{id}/content", ctx => Content(ctx, emu, host));
        }

        internal static IResult Error(int status, string message, string type, string code, string? param = null) =>
            SoraEmulator.Json(new Dictionary<string, object?>
            {
                ["error"] = new Dictionary<string, object?> { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
            }, status);

        private static IResult Unauthorized() =>
            Error(401, "Incorrect API key provided. You can find your API key at your provider's dashboard.", "invalid_request_error", "invalid_api_key");

        private static async Task Create(HttpContext ctx, SoraEmulator emu, Host host, string? remixOf)
        {
            if (!host.Authorized(ctx.Request)) { await Unauthorized().ExecuteAsync(ctx); return; }
            string? model, prompt, seconds = null, size = null;
            var hasImage = false;
            JsonElement? characters = null;
            if (ctx.Request.HasFormContentType)
            {
                var form = await ctx.Request.ReadFormAsync();
                model = form["model"].ToString();
                prompt = form["prompt"].ToString();
                seconds = form.ContainsKey("seconds") ? form["seconds"].ToString() : null;
                size = form.ContainsKey("size") ? form["size"].ToString() : null;
                if (form.ContainsKey("characters"))
                {
                    try { characters = JsonDocument.Parse(form["characters"].ToString()).RootElement; }
                    catch (JsonException) { characters = default(JsonElement); }
                }
                var file = form.Files.GetFile("input_reference");
                if (form.ContainsKey("input_reference") && file == null)
                {
                    await Error(400, "'input_reference' must be a file upload in a multipart request.", "invalid_request_error", "invalid_type", "input_reference").ExecuteAsync(ctx);
                    return;
                }
                if (file != null)
                {
                    if (file.Length == 0 || !(file.ContentType.StartsWith("image/", StringComparison.Ordinal)))
                    {
                        await Error(400, "input_reference must be a non-empty image (image/jpeg, image/png or image/webp).", "invalid_request_error", "invalid_value", "input_reference").ExecuteAsync(ctx);
                        return;
                    }
                    hasImage = true;
                }
            }
            else
            {
                JsonElement root;
                try
                {
                    root = JsonDocument.Parse(ctx.Request.Body).RootElement;
                }
                catch (JsonException)
                {
                    await Error(400, "We could not parse the JSON body of your request.", "invalid_request_error", "invalid_json").ExecuteAsync(ctx);
                    return;
                }
                foreach (var p in root.EnumerateObject())
                {
                    if (!new[] { "model", "prompt", "seconds", "size", "input_reference", "characters" }.Contains(p.Name))
                    {
                        await Error(400, $"Unrecognized request argument supplied: {p.Name}", "invalid_request_error", "unknown_parameter", p.Name).ExecuteAsync(ctx);
                        return;
                    }
                }
                model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                prompt = root.TryGetProperty("prompt", out var pr) && pr.ValueKind == JsonValueKind.String ? pr.GetString() : null;
                if (root.TryGetProperty("seconds", out var s))
                {
                    if (s.ValueKind != JsonValueKind.String)
                    {
                        await Error(400, $"Invalid type for 'seconds': expected one of '4', '8', '12' as a string, but got {s.ValueKind.ToString().ToLowerInvariant()} instead.", "invalid_request_error", "invalid_type", "seconds").ExecuteAsync(ctx);
                        return;
                    }
                    seconds = s.GetString();
                }
                if (root.TryGetProperty("characters", out var ch)) characters = ch;
                if (root.TryGetProperty("size", out var z)) size = z.ValueKind == JsonValueKind.String ? z.GetString() : "?";
                if (root.TryGetProperty("input_reference", out var ir))
                {
                    if (ir.ValueKind != JsonValueKind.Object || !(ir.TryGetProperty("image_url", out var iu) && iu.ValueKind == JsonValueKind.String) && !ir.TryGetProperty("file_id", out _))
                    {
                        await Error(400, "input_reference must be an object with image_url or file_id.", "invalid_request_error", "invalid_type", "input_reference").ExecuteAsync(ctx);
                        return;
                    }
                    hasImage = true;
                }
            }
            if (characters.HasValue)
            {
                var c = characters.Value;
                var ids = c.ValueKind == JsonValueKind.Array
                    ? c.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Object && x.TryGetProperty("id", out var cid) && cid.ValueKind == JsonValueKind.String ? cid.GetString() : null).ToList()
                    : null;
                if (ids == null || ids.Count == 0 || ids.Count > 2 || ids.Any(x => x == null))
                {
                    await Error(400, "'characters' must be an array of one or two objects with a string 'id'.", "invalid_request_error", "invalid_type", "characters").ExecuteAsync(ctx);
                    return;
                }
                var unknown = ids.FirstOrDefault(x => x == null || !emu.State.Characters.TryGetValue(x, out var known) || known.Host != host.Tag);
                if (unknown != null)
                {
                    await Error(404, $"Character '{unknown}' not found.", "invalid_request_error", "not_found", "characters").ExecuteAsync(ctx);
                    return;
                }
            }
            if (remixOf != null)
            {
                if (!emu.State.Tasks.TryGetValue(remixOf, out var source) || source.Dialect != host.Tag)
                {
                    await Error(404, $"Video '{remixOf}' not found.", "invalid_request_error", "not_found", "video_id").ExecuteAsync(ctx);
                    return;
                }
                model = string.IsNullOrEmpty(model) ? source.Model : model;
                seconds = seconds ?? source.Seconds.ToString();
                size = size ?? source.Size;
            }
            model = string.IsNullOrEmpty(model) ? "sora-2" : model;
            var catalog = host.ModelOf(model);
            if (catalog == null || !Model.IsMatch(catalog))
            {
                await Error(400, $"Invalid value for 'model': '{model}'. Supported values are: 'sora-2' and 'sora-2-pro'.", "invalid_request_error", "invalid_value", "model").ExecuteAsync(ctx);
                return;
            }
            if (string.IsNullOrEmpty(prompt) || prompt.Length > 32000)
            {
                await Error(400, "'prompt' is required and must be 1 to 32000 characters.", "invalid_request_error", "invalid_value", "prompt").ExecuteAsync(ctx);
                return;
            }
            seconds = seconds ?? "4";
            if (!new[] { "4", "8", "12" }.Contains(seconds))
            {
                await Error(400, $"Invalid value for 'seconds': '{seconds}'. Supported values are: '4', '8', and '12'.", "invalid_request_error", "invalid_value", "seconds").ExecuteAsync(ctx);
                return;
            }
            size = size ?? "720x1280";
            if (!Sizes.Contains(size) || (ProSizes.Contains(size) && !catalog.StartsWith("sora-2-pro", StringComparison.Ordinal)))
            {
                await Error(400, $"Invalid value for 'size': '{size}' is not supported for model '{model}'.", "invalid_request_error", "invalid_value", "size").ExecuteAsync(ctx);
                return;
            }
            if (prompt.Contains("[quota]"))
            {
                await Error(429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota").ExecuteAsync(ctx);
                return;
            }
            if (prompt.Contains("[refuse]"))
            {
                await Error(400, "Your request was blocked by our moderation system.", "invalid_request_error", "moderation_blocked", "prompt").ExecuteAsync(ctx);
                return;
            }
            var task = new EmuTask
            {
                Id = "video_" + Guid.NewGuid().ToString("N"),
                Dialect = host.Tag,
                Model = model,
                Prompt = prompt,
                Seconds = int.Parse(seconds),
                Size = size,
                Created = DateTimeOffset.UtcNow,
                Duration = RouteHelpers.DurationFor(emu, prompt),
                Failure = prompt.Contains("[fail:moderation]") ? "moderation" : prompt.Contains("[fail:timeout]") ? "timeout" : null,
            };
            task.Extra["has_image"] = hasImage;
            if (remixOf != null) task.Extra["remixed_from"] = remixOf;
            emu.State.Tasks[task.Id] = task;
            await Respond(ctx, emu, task);
        }

        /// <summary>POST /edits and /extensions: JSON <c>{video: {id}, prompt}</c> (an extension adds <c>seconds</c>) on a finished video of this host.</summary>
        private static async Task Derive(HttpContext ctx, SoraEmulator emu, Host host, bool extend)
        {
            if (!host.Authorized(ctx.Request)) { await Unauthorized().ExecuteAsync(ctx); return; }
            JsonElement root;
            try
            {
                root = JsonDocument.Parse(ctx.Request.Body).RootElement;
            }
            catch (JsonException)
            {
                await Error(400, "We could not parse the JSON body of your request.", "invalid_request_error", "invalid_json").ExecuteAsync(ctx);
                return;
            }
            var allowed = extend ? new[] { "video", "prompt", "seconds" } : new[] { "video", "prompt" };
            if (root.ValueKind != JsonValueKind.Object)
            {
                await Error(400, "The body must be a JSON object.", "invalid_request_error", "invalid_type").ExecuteAsync(ctx);
                return;
            }
            foreach (var p in root.EnumerateObject())
            {
                if (!allowed.Contains(p.Name))
                {
                    await Error(400, $"Unrecognized request argument supplied: {p.Name}", "invalid_request_error", "unknown_parameter", p.Name).ExecuteAsync(ctx);
                    return;
                }
            }
            if (!root.TryGetProperty("video", out var video) || video.ValueKind != JsonValueKind.Object || !video.TryGetProperty("id", out var vid) || vid.ValueKind != JsonValueKind.String)
            {
                await Error(400, "'video' is required and must be an object with a string 'id'.", "invalid_request_error", "invalid_type", "video").ExecuteAsync(ctx);
                return;
            }
            var prompt = root.TryGetProperty("prompt", out var pr) && pr.ValueKind == JsonValueKind.String ? pr.GetString() : null;
            if (string.IsNullOrEmpty(prompt) || prompt.Length > 32000)
            {
                await Error(400, "'prompt' is required and must be 1 to 32000 characters.", "invalid_request_error", "invalid_value", "prompt").ExecuteAsync(ctx);
                return;
            }
            var added = 0;
            if (extend)
            {
                if (!root.TryGetProperty("seconds", out var s) || s.ValueKind != JsonValueKind.String)
                {
                    await Error(400, "'seconds' is required and must be one of '4', '8', '12', '16', '20' as a string.", "invalid_request_error", "invalid_type", "seconds").ExecuteAsync(ctx);
                    return;
                }
                if (!new[] { "4", "8", "12", "16", "20" }.Contains(s.GetString()))
                {
                    await Error(400, $"Invalid value for 'seconds': '{s.GetString()}'. Supported values are: '4', '8', '12', '16', and '20'.", "invalid_request_error", "invalid_value", "seconds").ExecuteAsync(ctx);
                    return;
                }
                added = int.Parse(s.GetString() ?? "", CultureInfo.InvariantCulture);
            }
            var sourceId = vid.GetString() ?? "";
            if (!emu.State.Tasks.TryGetValue(sourceId, out var source) || source.Dialect != host.Tag || source.Deleted)
            {
                await Error(404, $"Video '{sourceId}' not found.", "invalid_request_error", "not_found", "video").ExecuteAsync(ctx);
                return;
            }
            if (source.StateAt(DateTimeOffset.UtcNow).Phase != "completed")
            {
                await Error(400, $"Video '{sourceId}' is not completed; only a completed video can be {(extend ? "extended" : "edited")}.", "invalid_request_error", "video_not_ready", "video").ExecuteAsync(ctx);
                return;
            }
            var task = new EmuTask
            {
                Id = "video_" + Guid.NewGuid().ToString("N"),
                Dialect = host.Tag,
                Model = source.Model,
                Prompt = prompt,
                Seconds = source.Seconds + added,
                Size = source.Size,
                Created = DateTimeOffset.UtcNow,
                Duration = RouteHelpers.DurationFor(emu, prompt),
                Failure = prompt.Contains("[fail:moderation]") ? "moderation" : null,
            };
            task.Extra[extend ? "extended_from" : "edited_from"] = sourceId;
            emu.State.Tasks[task.Id] = task;
            await Respond(ctx, emu, task);
        }

        /// <summary>POST /characters: multipart with a non-empty video file part <c>video</c> and a <c>name</c> of 1-80 characters.</summary>
        private static async Task CreateCharacter(HttpContext ctx, SoraEmulator emu, Host host)
        {
            if (!host.Authorized(ctx.Request)) { await Unauthorized().ExecuteAsync(ctx); return; }
            if (!ctx.Request.HasFormContentType)
            {
                await Error(400, "Creating a character takes a multipart/form-data body with 'video' and 'name'.", "invalid_request_error", "invalid_content_type").ExecuteAsync(ctx);
                return;
            }
            var form = await ctx.Request.ReadFormAsync();
            var file = form.Files.GetFile("video");
            if (file == null || file.Length == 0 || !file.ContentType.StartsWith("video/", StringComparison.Ordinal))
            {
                await Error(400, "'video' is required: a non-empty video file part (video/mp4, video/quicktime or video/webm).", "invalid_request_error", "invalid_value", "video").ExecuteAsync(ctx);
                return;
            }
            var name = form["name"].ToString();
            if (string.IsNullOrEmpty(name) || name.Length > 80)
            {
                await Error(400, "'name' is required and must be 1 to 80 characters.", "invalid_request_error", "invalid_value", "name").ExecuteAsync(ctx);
                return;
            }
            var character = new EmuCharacter { Id = "char_" + Guid.NewGuid().ToString("N"), Name = name, Host = host.Tag, Created = DateTimeOffset.UtcNow };
            emu.State.Characters[character.Id] = character;
            await SoraEmulator.Json(CharacterObject(character)).ExecuteAsync(ctx);
        }

        private static Task GetCharacter(HttpContext ctx, SoraEmulator emu, Host host)
        {
            if (!host.Authorized(ctx.Request)) return Unauthorized().ExecuteAsync(ctx);
            var id = RouteHelpers.RouteValue(ctx, "id");
            if (!emu.State.Characters.TryGetValue(id, out var c) || c.Host != host.Tag)
                return Error(404, $"Character '{id}' not found.", "invalid_request_error", "not_found", "character_id").ExecuteAsync(ctx);
            return SoraEmulator.Json(CharacterObject(c)).ExecuteAsync(ctx);
        }

        private static Dictionary<string, object?> CharacterObject(EmuCharacter c) => new Dictionary<string, object?>
        {
            ["id"] = c.Id,
            ["name"] = c.Name,
            ["created_at"] = c.Created.ToUnixTimeSeconds(),
        };

        private static Task Respond(HttpContext ctx, SoraEmulator emu, EmuTask t)
        {
            if (emu.Options.OpenAIPollAfterMs.HasValue) ctx.Response.Headers["openai-poll-after-ms"] = emu.Options.OpenAIPollAfterMs.Value.ToString();
            return SoraEmulator.Json(VideoObject(emu, t)).ExecuteAsync(ctx);
        }

        internal static Dictionary<string, object?> VideoObject(SoraEmulator emu, EmuTask t)
        {
            var now = DateTimeOffset.UtcNow;
            var (phase, progress) = t.StateAt(now);
            var status = phase == "running" ? "in_progress" : phase;
            var o = new Dictionary<string, object?>
            {
                ["id"] = t.Id,
                ["object"] = "video",
                ["model"] = t.Model,
                ["status"] = status,
                ["progress"] = progress,
                ["created_at"] = t.Created.ToUnixTimeSeconds(),
                ["completed_at"] = phase == "completed" ? t.CompletedAt.ToUnixTimeSeconds() : (object?)null,
                ["expires_at"] = phase == "completed" ? (t.CompletedAt + emu.Options.LinkLifetime).ToUnixTimeSeconds() : (object?)null,
                ["prompt"] = t.Prompt,
                ["size"] = t.Size,
                ["seconds"] = t.Seconds.ToString(),
                ["remixed_from_video_id"] = t.Extra.TryGetValue("remixed_from", out var r) ? r : null,
                ["error"] = null,
            };
            if (phase == "failed")
                o["error"] = t.Failure == "moderation"
                    ? new Dictionary<string, object?> { ["code"] = "moderation_blocked", ["message"] = "The generated video did not pass content moderation." }
                    : new Dictionary<string, object?> { ["code"] = "generation_timeout", ["message"] = "Generation timed out." };
            return o;
        }

        private static Task Get(HttpContext ctx, SoraEmulator emu, Host host)
        {
            if (!host.Authorized(ctx.Request)) return Unauthorized().ExecuteAsync(ctx);
            var id = RouteHelpers.RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != host.Tag || t.Deleted)
                return Error(404, $"Video '{id}' not found.", "invalid_request_error", "not_found", "video_id").ExecuteAsync(ctx);
            return Respond(ctx, emu, t);
        }

        private static Task List(HttpContext ctx, SoraEmulator emu, Host host)
        {
            if (!host.Authorized(ctx.Request)) return Unauthorized().ExecuteAsync(ctx);
            var limit = int.TryParse(ctx.Request.Query["limit"], out var l) ? Math.Clamp(l, 1, 100) : 20;
            var after = ctx.Request.Query["after"].ToString();
            var desc = ctx.Request.Query["order"].ToString() != "asc";
            var all = emu.State.Tasks.Values.Where(t => t.Dialect == host.Tag && !t.Deleted);
            var ordered = (desc ? all.OrderByDescending(t => t.Created).ThenByDescending(t => t.Id) : all.OrderBy(t => t.Created).ThenBy(t => t.Id)).ToList();
            if (!string.IsNullOrEmpty(after))
            {
                var i = ordered.FindIndex(t => t.Id == after);
                ordered = i < 0 ? new List<EmuTask>() : ordered.Skip(i + 1).ToList();
            }
            var page = ordered.Take(limit).ToList();
            return SoraEmulator.Json(new Dictionary<string, object?>
            {
                ["object"] = "list",
                ["data"] = page.Select(t => VideoObject(emu, t)).ToList(),
                ["first_id"] = page.FirstOrDefault()?.Id,
                ["last_id"] = page.LastOrDefault()?.Id,
                ["has_more"] = ordered.Count > page.Count,
            }).ExecuteAsync(ctx);
        }

        private static Task Delete(HttpContext ctx, SoraEmulator emu, Host host)
        {
            if (!host.Authorized(ctx.Request)) return Unauthorized().ExecuteAsync(ctx);
            var id = RouteHelpers.RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != host.Tag || t.Deleted)
                return Error(404, $"Video '{id}' not found.", "invalid_request_error", "not_found", "video_id").ExecuteAsync(ctx);
            t.Deleted = true;
            return SoraEmulator.Json(new Dictionary<string, object?> { ["id"] = id, ["object"] = "video.deleted", ["deleted"] = true }).ExecuteAsync(ctx);
        }

        private static Task Content(HttpContext ctx, SoraEmulator emu, Host host)
        {
            if (!host.Authorized(ctx.Request)) return Unauthorized().ExecuteAsync(ctx);
            var id = RouteHelpers.RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != host.Tag || t.Deleted)
                return Error(404, $"Video '{id}' not found.", "invalid_request_error", "not_found", "video_id").ExecuteAsync(ctx);
            var now = DateTimeOffset.UtcNow;
            var (phase, _) = t.StateAt(now);
            if (phase != "completed")
                return Error(400, $"Video '{id}' is not ready: its status is {phase}.", "invalid_request_error", "video_not_ready").ExecuteAsync(ctx);
            if (now > t.CompletedAt + emu.Options.LinkLifetime)
                return Error(404, $"The content of video '{id}' has expired.", "invalid_request_error", "video_expired").ExecuteAsync(ctx);
            var variant = ctx.Request.Query["variant"].ToString();
            if (string.IsNullOrEmpty(variant) || variant == "video")
                return RouteHelpers.VideoResult(emu, id).ExecuteAsync(ctx);
            if (variant == "thumbnail") return Results.Bytes(Assets.Webp, "image/webp").ExecuteAsync(ctx);
            if (variant == "spritesheet") return Results.Bytes(Assets.Jpeg, "image/jpeg").ExecuteAsync(ctx);
            return Error(400, $"Invalid value for 'variant': '{variant}'.", "invalid_request_error", "invalid_value", "variant").ExecuteAsync(ctx);
        }
    }

    public static class Assets
    {
        /// <summary>A 1x1 PNG, enough for thumbnail and spritesheet stand-ins.</summary>
        public static readonly byte[] Png = Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

        /// <summary>A 1x1 lossless WebP: what a thumbnail is.</summary>
        public static readonly byte[] Webp = Convert.FromBase64String("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");

        /// <summary>A 1x1 JPEG: what a spritesheet is.</summary>
        public static readonly byte[] Jpeg = Convert.FromBase64String(
            "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=");
    }
}
