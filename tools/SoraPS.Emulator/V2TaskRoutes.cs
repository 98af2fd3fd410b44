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
    /// <summary>The "v2 task" relay shape (seed 000) under /v2task.</summary>
    internal static class V2TaskRoutes
    {
        public static void Map(WebApplication app, SoraEmulator emu)
        {
            app.MapPost("/v2task/v2/videos/generations", ctx => Create(ctx, emu));
            app.MapGet("/v2task/v2/videos/generations/{id}", ctx => Get(ctx, emu));
            app.MapGet("/v2task/files/{id}.mp4", ctx => ServeFile(ctx, emu, "v2task", RouteHelpers.RouteValue(ctx, "id")));
        }

        private static async Task Create(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) { await Error(401, "invalid token", "authentication_error", "invalid_api_key").ExecuteAsync(ctx); return; }
            var body = await ReadObject(ctx.Request);
            if (body == null) { await Error(400, "body must be a JSON object", "invalid_request_error").ExecuteAsync(ctx); return; }
            var root = body.Value;
            var unknown = UnknownField(root, "prompt", "model", "images", "aspect_ratio", "hd", "duration", "notify_hook", "watermark", "private");
            if (unknown != null) { await Error(400, $"unknown field '{unknown}'", "invalid_request_error", "invalid_parameter", unknown).ExecuteAsync(ctx); return; }
            var prompt = Str(root, "prompt");
            var model = Str(root, "model");
            if (string.IsNullOrEmpty(prompt)) { await Error(400, "prompt is required", "invalid_request_error", "invalid_parameter", "prompt").ExecuteAsync(ctx); return; }
            if (model != "sora-2" && model != "sora-2-pro") { await Error(400, "model must be sora-2 or sora-2-pro", "invalid_request_error", "invalid_parameter", "model").ExecuteAsync(ctx); return; }
            var pro = model == "sora-2-pro";
            var duration = "10";
            if (Has(root, "duration"))
            {
                duration = Str(root, "duration");
                if (duration == null) { await Error(400, "duration must be a string such as \"10\"", "invalid_request_error", "invalid_parameter", "duration").ExecuteAsync(ctx); return; }
                if (!new[] { "4", "8", "10", "12", "15", "25" }.Contains(duration) || (duration == "25" && !pro))
                {
                    await Error(400, "duration not supported: 25 only with sora-2-pro", "invalid_request_error", "invalid_parameter", "duration").ExecuteAsync(ctx);
                    return;
                }
            }
            if (Has(root, "aspect_ratio") && Str(root, "aspect_ratio") != "16:9" && Str(root, "aspect_ratio") != "9:16")
            {
                await Error(400, "aspect_ratio must be 16:9 or 9:16", "invalid_request_error", "invalid_parameter", "aspect_ratio").ExecuteAsync(ctx);
                return;
            }
            if (Has(root, "hd"))
            {
                var hd = root.GetProperty("hd");
                if (hd.ValueKind != JsonValueKind.True && hd.ValueKind != JsonValueKind.False) { await Error(400, "hd must be a boolean", "invalid_request_error", "invalid_parameter", "hd").ExecuteAsync(ctx); return; }
                if (hd.ValueKind == JsonValueKind.True && !pro) { await Error(400, "hd is supported only by sora-2-pro", "invalid_request_error", "invalid_parameter", "hd").ExecuteAsync(ctx); return; }
            }
            foreach (var flag in new[] { "watermark", "private" })
                if (Has(root, flag) && root.GetProperty(flag).ValueKind != JsonValueKind.True && root.GetProperty(flag).ValueKind != JsonValueKind.False)
                {
                    await Error(400, flag + " must be a boolean", "invalid_request_error", "invalid_parameter", flag).ExecuteAsync(ctx);
                    return;
                }
            if (Has(root, "images"))
            {
                var images = root.GetProperty("images");
                if (images.ValueKind != JsonValueKind.Array || images.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String || !IsHttpUrl(i.GetString())))
                {
                    await Error(400, "images must be an array of image URLs", "invalid_request_error", "invalid_parameter", "images").ExecuteAsync(ctx);
                    return;
                }
            }
            if (Has(root, "notify_hook") && !IsHttpUrl(Str(root, "notify_hook")))
            {
                await Error(400, "notify_hook must be a URL", "invalid_request_error", "invalid_parameter", "notify_hook").ExecuteAsync(ctx);
                return;
            }
            if (prompt.Contains("[quota]")) { await Error(403, "user quota is not enough", "new_api_error", "insufficient_user_quota").ExecuteAsync(ctx); return; }
            var task = new EmuTask
            {
                Id = Guid.NewGuid().ToString(),
                Dialect = "v2task",
                Model = model,
                Prompt = prompt,
                Seconds = int.Parse(duration),
                Created = DateTimeOffset.UtcNow,
                Duration = RouteHelpers.DurationFor(emu, prompt),
                Failure = FailureMarker(prompt),
            };
            emu.State.Tasks[task.Id] = task;
            await SoraEmulator.Json(new Dictionary<string, object?> { ["task_id"] = task.Id }).ExecuteAsync(ctx);
        }

        private static Task Get(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) return Error(401, "invalid token", "authentication_error", "invalid_api_key").ExecuteAsync(ctx);
            var id = RouteHelpers.RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "v2task")
                return Error(404, "task not found", "invalid_request_error", "task_not_exist").ExecuteAsync(ctx);
            var (phase, progress) = t.StateAt(DateTimeOffset.UtcNow);
            var status = phase == "queued" ? (progress == 0 && t.Fraction(DateTimeOffset.UtcNow) < 0.05 ? "NOT_START" : "QUEUED")
                : phase == "running" ? "IN_PROGRESS" : phase == "completed" ? "SUCCESS" : t.Failure == "moderation" ? "FAILURE" : "FAIL";
            var o = new Dictionary<string, object?>
            {
                ["task_id"] = t.Id,
                ["status"] = status,
                ["fail_reason"] = phase == "failed"
                    ? (t.Failure == "moderation" ? "The generated video did not pass content review (moderation)." : "generation timeout")
                    : "",
                ["submit_time"] = t.Created.ToUnixTimeSeconds(),
                ["start_time"] = t.Created.ToUnixTimeSeconds(),
                ["finish_time"] = phase == "completed" || phase == "failed" ? t.CompletedAt.ToUnixTimeSeconds() : 0,
                ["progress"] = progress + "%",
            };
            if (phase == "completed")
            {
                var url = FileUrl(ctx, "v2task", t.Id);
                // sora-2-pro answers with outputs[], sora-2 with output: relays send both shapes.
                o["data"] = t.Model == "sora-2-pro"
                    ? new Dictionary<string, object?> { ["outputs"] = new[] { url }, ["model"] = t.Model }
                    : new Dictionary<string, object?> { ["output"] = url, ["model"] = t.Model };
            }
            else
            {
                o["data"] = null;
            }
            return SoraEmulator.Json(o).ExecuteAsync(ctx);
        }
    }
}
