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
    /// new-api's task route under /newapi, answered as its code does: <c>POST /v1/video/generations</c> gives the OpenAI
    /// video object, <c>GET /v1/video/generations/{task_id}</c> the <c>{"code":"success","data":{…TaskDto…}}</c> envelope
    /// (a prompt with [shape:veo] gets the envelope of its Veo channels, [shape:flat] the flat answer of its documentation),
    /// errors <c>{"code","message","data":null}</c>; the video is served at <c>/v1/videos/{task_id}/content</c> with the key.
    /// Any other route is new-api's 404 "Invalid URL (METHOD /path)".
    /// </summary>
    internal static class NewApiRoutes
    {
        private static readonly string[] Fields = { "model", "prompt", "duration", "width", "height", "size", "image", "images", "seed", "fps", "n", "metadata", "mode", "seconds" };

        /// <summary>The models the emulated relay's channels serve.</summary>
        private static readonly string[] KnownModels =
        {
            "sora-2", "sora-2-pro", "veo-3.1-generate-preview", "veo-3.1-fast-generate-preview", "doubao-seedance-1-0-pro-250528",
            "doubao-seedance-1-5-pro-251215", "wan2.5-t2v-preview", "kling-v2-1", "MiniMax-Hailuo-02",
        };

        private static int _row;

        public static void Map(WebApplication app, SoraEmulator emu)
        {
            app.MapPost("/newapi/v1/video/generations", ctx => Create(ctx, emu));
            app.MapGet("/newapi/v1/video/generations/{id}", ctx => Get(ctx, emu));
            app.MapGet("/newapi/v1/videos/{id}/content", ctx => Content(ctx, emu));
            app.MapGet("/newapi/files/{id}.mp4", ctx => ServeFile(ctx, emu, "newapi", RouteValue(ctx, "id")));
            app.MapMethods("/newapi/{**rest}", new[] { "GET", "POST", "DELETE", "PUT", "PATCH" }, ctx => InvalidUrl(ctx, "/newapi").ExecuteAsync(ctx));
        }

        /// <summary>new-api's answer to a route it does not have (its router's NoRoute handler).</summary>
        internal static IResult InvalidUrl(HttpContext ctx, string prefix) =>
            Error(404, $"Invalid URL ({ctx.Request.Method} {(ctx.Request.Path.Value ?? "").Substring(prefix.Length)})", "invalid_request_error", "");

        /// <summary>new-api's task error body.</summary>
        internal static IResult TaskError(int status, string code, string message) =>
            SoraEmulator.Json(new Dictionary<string, object?> { ["code"] = code, ["message"] = message, ["data"] = null }, status);

        private static async Task Create(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) { await Error(401, "Invalid token", "new_api_error", "").ExecuteAsync(ctx); return; }
            var body = await ReadObject(ctx.Request);
            if (body == null) { await TaskError(400, "invalid_request", "the request body must be a JSON object").ExecuteAsync(ctx); return; }
            var root = body.Value;
            var unknown = UnknownField(root, Fields);
            if (unknown != null) { await TaskError(400, "invalid_request", $"unknown field '{unknown}'").ExecuteAsync(ctx); return; }
            var prompt = Str(root, "prompt");
            var model = Str(root, "model");
            if (string.IsNullOrEmpty(prompt)) { await TaskError(400, "invalid_request", "prompt is required").ExecuteAsync(ctx); return; }
            if (!KnownModels.Contains(model)) { await TaskError(503, "model_not_found", $"No available channel for model {model}").ExecuteAsync(ctx); return; }
            var seconds = 0;
            if (Has(root, "duration") && (root.GetProperty("duration").ValueKind != JsonValueKind.Number || !root.GetProperty("duration").TryGetInt32(out seconds) || seconds <= 0))
            {
                await TaskError(400, "invalid_request", "duration must be a positive integer").ExecuteAsync(ctx);
                return;
            }
            foreach (var n in new[] { "width", "height", "seed", "fps", "n" })
                if (Has(root, n) && root.GetProperty(n).ValueKind != JsonValueKind.Number)
                {
                    await TaskError(400, "invalid_request", n + " must be a number").ExecuteAsync(ctx);
                    return;
                }
            if (Has(root, "size") && Has(root, "width") && Str(root, "size") != root.GetProperty("width").GetInt32() + "x" + root.GetProperty("height").GetInt32())
            {
                await TaskError(400, "invalid_request", "size does not match width and height").ExecuteAsync(ctx);
                return;
            }
            if (Has(root, "image") && !IsHttpUrl(Str(root, "image"))) { await TaskError(400, "invalid_request", "image must be a URL").ExecuteAsync(ctx); return; }
            if (Has(root, "metadata") && root.GetProperty("metadata").ValueKind != JsonValueKind.Object) { await TaskError(400, "invalid_request", "metadata must be an object").ExecuteAsync(ctx); return; }
            if (prompt.Contains("[quota]")) { await TaskError(403, "insufficient_user_quota", "user quota is not enough").ExecuteAsync(ctx); return; }
            var task = new EmuTask
            {
                Id = "task_" + Guid.NewGuid().ToString("N").Substring(0, 24),
                Dialect = "newapi",
                Model = model ?? "",
                Prompt = prompt,
                Seconds = seconds,
                Size = Str(root, "size"),
                Created = DateTimeOffset.UtcNow,
                Duration = DurationFor(emu, prompt),
                Failure = FailureMarker(prompt),
            };
            task.Extra["row"] = System.Threading.Interlocked.Increment(ref _row);
            emu.State.Tasks[task.Id] = task;
            await SoraEmulator.Json(new Dictionary<string, object?>
            {
                ["id"] = task.Id,
                ["task_id"] = task.Id,
                ["object"] = "video",
                ["model"] = model,
                ["status"] = "queued",
                ["progress"] = 0,
                ["created_at"] = task.Created.ToUnixTimeSeconds(),
            }).ExecuteAsync(ctx);
        }

        private static Task Get(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) return Error(401, "Invalid token", "new_api_error", "").ExecuteAsync(ctx);
            var id = RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "newapi")
                return TaskError(400, "task_not_exist", "task_not_exist").ExecuteAsync(ctx);
            var (phase, progress) = t.StateAt(DateTimeOffset.UtcNow);
            var content = $"{ctx.Request.Scheme}://{ctx.Request.Host}/newapi/v1/videos/{t.Id}/content";
            var reason = phase != "failed" ? "" : t.Failure == "moderation" ? "The request was rejected by content moderation (sensitive content)." : "generation timeout";
            if (t.Prompt.Contains("[shape:flat]"))
            {
                // The flat answer new-api's documentation shows.
                var flat = new Dictionary<string, object?>
                {
                    ["task_id"] = t.Id,
                    ["status"] = phase == "queued" ? "queued" : phase == "running" ? "in_progress" : phase == "completed" ? "completed" : "failed",
                    ["url"] = phase == "completed" ? FileUrl(ctx, "newapi", t.Id) : "",
                    ["format"] = "mp4",
                    ["metadata"] = new Dictionary<string, object?> { ["duration"] = t.Seconds, ["fps"] = 24 },
                    ["error"] = phase == "failed" ? new Dictionary<string, object?> { ["code"] = t.Failure == "moderation" ? "content_policy_violation" : "generation_timeout", ["message"] = reason } : null,
                };
                return SoraEmulator.Json(flat).ExecuteAsync(ctx);
            }
            if (t.Prompt.Contains("[shape:veo]"))
            {
                // The envelope of its Gemini/Vertex channels (read from the upstream at each query).
                var veo = new Dictionary<string, object?>
                {
                    ["error"] = null,
                    ["format"] = "mp4",
                    ["metadata"] = null,
                    ["status"] = phase == "queued" ? "queued" : phase == "running" ? "processing" : phase == "completed" ? "succeeded" : "failed",
                    ["task_id"] = t.Id,
                    ["url"] = phase == "completed" ? content : "",
                };
                return SoraEmulator.Json(new Dictionary<string, object?> { ["code"] = "success", ["message"] = "", ["data"] = veo }).ExecuteAsync(ctx);
            }
            var status = phase == "queued" ? (t.Fraction(DateTimeOffset.UtcNow) < 0.05 ? "SUBMITTED" : "QUEUED")
                : phase == "running" ? "IN_PROGRESS" : phase == "completed" ? "SUCCESS" : "FAILURE";
            var upstream = new Dictionary<string, object?>
            {
                ["id"] = "cgt-" + t.Id.Substring(5, 12),
                ["model"] = t.Model,
                ["status"] = phase == "completed" ? "succeeded" : phase == "failed" ? "failed" : phase == "running" ? "running" : "queued",
            };
            var dto = new Dictionary<string, object?>
            {
                ["id"] = t.Extra["row"],
                ["created_at"] = t.Created.ToUnixTimeSeconds(),
                ["updated_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["task_id"] = t.Id,
                ["platform"] = "54",
                ["user_id"] = 1,
                ["group"] = "default",
                ["channel_id"] = 3,
                ["quota"] = 250000,
                ["action"] = "generate",
                ["status"] = status,
                ["fail_reason"] = reason,
                ["result_url"] = phase == "completed" ? content : "",
                ["submit_time"] = t.Created.ToUnixTimeSeconds(),
                ["start_time"] = t.Created.ToUnixTimeSeconds(),
                ["finish_time"] = phase == "completed" || phase == "failed" ? t.CompletedAt.ToUnixTimeSeconds() : 0,
                ["progress"] = progress + "%",
                ["properties"] = new Dictionary<string, object?> { ["origin_model_name"] = t.Model },
                ["username"] = "relay-user",
                ["data"] = upstream,
            };
            return SoraEmulator.Json(new Dictionary<string, object?> { ["code"] = "success", ["message"] = "", ["data"] = dto }).ExecuteAsync(ctx);
        }

        private static Task Content(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) return Error(401, "Invalid token", "new_api_error", "").ExecuteAsync(ctx);
            var id = RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "newapi" || t.StateAt(DateTimeOffset.UtcNow).Phase != "completed")
                return Error(404, "Task not found", "invalid_request_error", "task_not_exist").ExecuteAsync(ctx);
            return VideoResult(emu, id).ExecuteAsync(ctx);
        }
    }
}
