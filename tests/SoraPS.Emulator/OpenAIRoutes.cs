using System;
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
            public Host(string tag, Func<HttpRequest, bool> authorized, Func<string, string> modelOf = null)
            {
                Tag = tag;
                Authorized = authorized;
                ModelOf = modelOf ?? (m => m);
            }

            public string Tag { get; }
            public Func<HttpRequest, bool> Authorized { get; }
            /// <summary>The OpenAI model a model name sent to this host stands for (a deployment's model); null when unknown.</summary>
            public Func<string, string> ModelOf { get; }
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
            g.MapPost("/{id}/remix", ctx => Create(ctx, emu, host, (string)ctx.Request.RouteValues["id"]));
            g.MapGet("", ctx => List(ctx, emu, host));
            g.MapGet("/{id}", ctx => Get(ctx, emu, host));
            g.MapDelete("/{id}", ctx => Delete(ctx, emu, host));
            g.MapGet("/{id}/content", ctx => Content(ctx, emu, host));
        }

        internal static IResult Error(int status, string message, string type, string code, string param = null) =>
            SoraEmulator.Json(new Dictionary<string, object>
            {
                ["error"] = new Dictionary<string, object> { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
            }, status);

        private static IResult Unauthorized() =>
            Error(401, "Incorrect API key provided. You can find your API key at your provider's dashboard.", "invalid_request_error", "invalid_api_key");

        private static async Task Create(HttpContext ctx, SoraEmulator emu, Host host, string remixOf)
        {
            if (!host.Authorized(ctx.Request)) { await Unauthorized().ExecuteAsync(ctx); return; }
            string model, prompt, seconds = null, size = null;
            var hasImage = false;
            if (ctx.Request.HasFormContentType)
            {
                var form = await ctx.Request.ReadFormAsync();
                model = form["model"].ToString();
                prompt = form["prompt"].ToString();
                seconds = form.ContainsKey("seconds") ? form["seconds"].ToString() : null;
                size = form.ContainsKey("size") ? form["size"].ToString() : null;
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
                    if (!new[] { "model", "prompt", "seconds", "size", "input_reference" }.Contains(p.Name))
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

        private static Task Respond(HttpContext ctx, SoraEmulator emu, EmuTask t)
        {
            if (emu.Options.OpenAIPollAfterMs.HasValue) ctx.Response.Headers["openai-poll-after-ms"] = emu.Options.OpenAIPollAfterMs.Value.ToString();
            return SoraEmulator.Json(VideoObject(emu, t)).ExecuteAsync(ctx);
        }

        internal static Dictionary<string, object> VideoObject(SoraEmulator emu, EmuTask t)
        {
            var now = DateTimeOffset.UtcNow;
            var (phase, progress) = t.StateAt(now);
            var status = phase == "running" ? "in_progress" : phase;
            var o = new Dictionary<string, object>
            {
                ["id"] = t.Id,
                ["object"] = "video",
                ["model"] = t.Model,
                ["status"] = status,
                ["progress"] = progress,
                ["created_at"] = t.Created.ToUnixTimeSeconds(),
                ["completed_at"] = phase == "completed" ? t.CompletedAt.ToUnixTimeSeconds() : (object)null,
                ["expires_at"] = phase == "completed" ? (t.CompletedAt + emu.Options.LinkLifetime).ToUnixTimeSeconds() : (object)null,
                ["prompt"] = t.Prompt,
                ["size"] = t.Size,
                ["seconds"] = t.Seconds.ToString(),
                ["remixed_from_video_id"] = t.Extra.TryGetValue("remixed_from", out var r) ? r : null,
                ["error"] = null,
            };
            if (phase == "failed")
                o["error"] = t.Failure == "moderation"
                    ? new Dictionary<string, object> { ["code"] = "moderation_blocked", ["message"] = "The generated video did not pass content moderation." }
                    : new Dictionary<string, object> { ["code"] = "generation_timeout", ["message"] = "Generation timed out." };
            return o;
        }

        private static Task Get(HttpContext ctx, SoraEmulator emu, Host host)
        {
            if (!host.Authorized(ctx.Request)) return Unauthorized().ExecuteAsync(ctx);
            var id = (string)ctx.Request.RouteValues["id"];
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
            return SoraEmulator.Json(new Dictionary<string, object>
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
            var id = (string)ctx.Request.RouteValues["id"];
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != host.Tag || t.Deleted)
                return Error(404, $"Video '{id}' not found.", "invalid_request_error", "not_found", "video_id").ExecuteAsync(ctx);
            t.Deleted = true;
            return SoraEmulator.Json(new Dictionary<string, object> { ["id"] = id, ["object"] = "video.deleted", ["deleted"] = true }).ExecuteAsync(ctx);
        }

        private static Task Content(HttpContext ctx, SoraEmulator emu, Host host)
        {
            if (!host.Authorized(ctx.Request)) return Unauthorized().ExecuteAsync(ctx);
            var id = (string)ctx.Request.RouteValues["id"];
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
            if (variant == "thumbnail") return Results.Bytes(Assets.Png, "image/webp").ExecuteAsync(ctx);
            if (variant == "spritesheet") return Results.Bytes(Assets.Png, "image/jpeg").ExecuteAsync(ctx);
            return Error(400, $"Invalid value for 'variant': '{variant}'.", "invalid_request_error", "invalid_value", "variant").ExecuteAsync(ctx);
        }
    }

    internal static class Assets
    {
        /// <summary>A 1x1 PNG, enough for thumbnail and spritesheet stand-ins.</summary>
        public static readonly byte[] Png = Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
    }
}
