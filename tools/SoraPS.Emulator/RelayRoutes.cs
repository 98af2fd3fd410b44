using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static SoraPS.Emulator.RouteHelpers;

namespace SoraPS.Emulator
{
    /// <summary>
    /// A relay of the OpenAI Videos shape under /relay, as new-api and hosted relays answer it: a finished video names its
    /// link in metadata.url (default), or, by a prompt marker, [link:metadata.video_url], [link:video_url] or [link:url]
    /// (with thumbnail_url and expires_at), on another origin ("localhost" instead of 127.0.0.1) that refuses a key, as a
    /// signed storage link does. It has no list and no delete route (new-api's 404 "Invalid URL"), an unknown id is 400
    /// task_not_exist, and /content ignores <c>variant</c>: it always sends the MP4.
    /// </summary>
    internal static class RelayRoutes
    {
        private static readonly string[] Fields = { "model", "prompt", "seconds", "size", "input_reference" };

        public static void Map(WebApplication app, SoraEmulator emu)
        {
            app.MapPost("/relay/v1/videos", ctx => Create(ctx, emu));
            app.MapGet("/relay/v1/videos/{id}", ctx => Get(ctx, emu));
            app.MapGet("/relay/v1/videos/{id}/content", ctx => Content(ctx, emu));
            app.MapGet("/relay/files/{id}.mp4", ctx => Signed(ctx) ?? ServeFile(ctx, emu, "relay", RouteValue(ctx, "id")));
            app.MapGet("/relay/files/{id}.webp", ctx => Signed(ctx) ?? Results.Bytes(Assets.Webp, "image/webp").ExecuteAsync(ctx));
            app.MapMethods("/relay/{**rest}", new[] { "GET", "POST", "DELETE", "PUT", "PATCH" }, ctx => NewApiRoutes.InvalidUrl(ctx, "/relay").ExecuteAsync(ctx));
        }

        /// <summary>A signed link takes no other credential (as S3 refuses a second auth mechanism); null when none came.</summary>
        private static Task? Signed(HttpContext ctx) =>
            ctx.Request.Headers.ContainsKey("Authorization") || ctx.Request.Headers.ContainsKey("api-key")
                ? Results.Text("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>", "application/xml", null, 400).ExecuteAsync(ctx)
                : null;

        private static async Task Create(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) { await Error(401, "Invalid token", "new_api_error", "").ExecuteAsync(ctx); return; }
            var body = await ReadObject(ctx.Request);
            if (body == null) { await Error(400, "the request body must be a JSON object", "invalid_request_error", "invalid_request").ExecuteAsync(ctx); return; }
            var root = body.Value;
            var unknown = UnknownField(root, Fields);
            if (unknown != null) { await Error(400, $"unknown field '{unknown}'", "invalid_request_error", "invalid_request", unknown).ExecuteAsync(ctx); return; }
            var prompt = Str(root, "prompt");
            if (string.IsNullOrEmpty(prompt)) { await Error(400, "prompt is required", "invalid_request_error", "invalid_request", "prompt").ExecuteAsync(ctx); return; }
            var seconds = Str(root, "seconds");
            if (seconds == null || !int.TryParse(seconds, out var s)) { await Error(400, "seconds must be a string", "invalid_request_error", "invalid_request", "seconds").ExecuteAsync(ctx); return; }
            var task = new EmuTask
            {
                Id = "task_" + Guid.NewGuid().ToString("N").Substring(0, 24),
                Dialect = "relay",
                Model = Str(root, "model") ?? "",
                Prompt = prompt,
                Seconds = s,
                Size = Str(root, "size"),
                Created = DateTimeOffset.UtcNow,
                Duration = DurationFor(emu, prompt),
                Failure = FailureMarker(prompt),
            };
            emu.State.Tasks[task.Id] = task;
            await SoraEmulator.Json(VideoObject(ctx, emu, task)).ExecuteAsync(ctx);
        }

        private static Dictionary<string, object?> VideoObject(HttpContext ctx, SoraEmulator emu, EmuTask t)
        {
            var (phase, progress) = t.StateAt(DateTimeOffset.UtcNow);
            var o = new Dictionary<string, object?>
            {
                ["id"] = t.Id,
                ["task_id"] = t.Id,
                ["object"] = "video",
                ["model"] = t.Model,
                ["status"] = phase == "queued" ? "queued" : phase == "running" ? "in_progress" : phase,
                ["progress"] = progress,
                ["created_at"] = t.Created.ToUnixTimeSeconds(),
                ["seconds"] = t.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["size"] = t.Size,
            };
            if (phase == "failed")
                o["error"] = new Dictionary<string, object?> { ["code"] = t.Failure == "moderation" ? "content_policy_violation" : "generation_timeout", ["message"] = "The upstream refused the video." };
            if (phase != "completed") return o;
            o["completed_at"] = t.CompletedAt.ToUnixTimeSeconds();
            // The link lives on another origin: the same emulator named "localhost".
            var cdn = $"{ctx.Request.Scheme}://localhost:{ctx.Request.Host.Port}/relay/files/{t.Id}";
            var link = cdn + ".mp4";
            if (t.Prompt.Contains("[link:url]"))
            {
                o["url"] = link;
                o["thumbnail_url"] = cdn + ".webp";
                o["expires_at"] = (t.CompletedAt + emu.Options.LinkLifetime).ToUnixTimeSeconds();
            }
            else if (t.Prompt.Contains("[link:video_url]"))
            {
                o["video_url"] = link;
            }
            else if (t.Prompt.Contains("[link:metadata.video_url]"))
            {
                o["metadata"] = new Dictionary<string, object?> { ["video_url"] = link };
            }
            else if (!t.Prompt.Contains("[link:none]"))
            {
                o["metadata"] = new Dictionary<string, object?> { ["url"] = link };
            }
            return o;
        }

        private static Task Get(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) return Error(401, "Invalid token", "new_api_error", "").ExecuteAsync(ctx);
            var id = RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "relay")
                return Error(400, "task_not_exist", "invalid_request_error", "task_not_exist").ExecuteAsync(ctx);
            return SoraEmulator.Json(VideoObject(ctx, emu, t)).ExecuteAsync(ctx);
        }

        /// <summary>The relay's own copy: the MP4 whatever <c>variant</c> asks for.</summary>
        private static Task Content(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) return Error(401, "Invalid token", "new_api_error", "").ExecuteAsync(ctx);
            var id = RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "relay" || t.StateAt(DateTimeOffset.UtcNow).Phase != "completed")
                return Error(400, "task_not_exist", "invalid_request_error", "task_not_exist").ExecuteAsync(ctx);
            return VideoResult(emu, id).ExecuteAsync(ctx);
        }
    }
}
