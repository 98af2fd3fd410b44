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
    /// APIMart-style answers on the unified task paths, under /apimart: a submission answers
    /// <c>{"code":200,"data":[{"status":"submitted","task_id"}]}</c>, a query <c>{"code":200,"data":{id, status, progress,
    /// result:{videos:[{url:[…]}]}, error:{message}, cost}}</c> (cost once finished).
    /// </summary>
    public static class ApimartRoutes
    {
        private static readonly string[] Fields = { "model", "prompt", "aspect_ratio", "duration", "size", "resolution", "image_urls", "callback_url", "remove_watermark" };

        /// <summary>What a finished task reports it cost, in the relay's currency.</summary>
        public const double Cost = 0.84;

        internal static void Map(WebApplication app, SoraEmulator emu)
        {
            app.MapPost("/apimart/v1/videos/generations", ctx => Create(ctx, emu));
            app.MapGet("/apimart/v1/tasks/{id}", ctx => Get(ctx, emu));
            app.MapGet("/apimart/files/{id}.mp4", ctx => ServeFile(ctx, emu, "apimart", RouteValue(ctx, "id")));
        }

        private static IResult Fail(int status, string message, string type) =>
            SoraEmulator.Json(new Dictionary<string, object?> { ["error"] = new Dictionary<string, object?> { ["code"] = status, ["message"] = message, ["type"] = type } }, status);

        private static async Task Create(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) { await Fail(401, "Invalid API key", "authentication_error").ExecuteAsync(ctx); return; }
            var body = await ReadObject(ctx.Request);
            if (body == null) { await Fail(400, "Request body must be a JSON object", "invalid_request_error").ExecuteAsync(ctx); return; }
            var root = body.Value;
            var unknown = UnknownField(root, Fields);
            if (unknown != null) { await Fail(400, $"Unknown parameter '{unknown}'", "invalid_request_error").ExecuteAsync(ctx); return; }
            var prompt = Str(root, "prompt");
            if (string.IsNullOrEmpty(prompt)) { await Fail(400, "prompt is required", "invalid_request_error").ExecuteAsync(ctx); return; }
            if (!Has(root, "duration") || root.GetProperty("duration").ValueKind != JsonValueKind.Number) { await Fail(400, "duration must be an integer", "invalid_request_error").ExecuteAsync(ctx); return; }
            if (prompt.Contains("[quota]")) { await Fail(402, "Insufficient balance", "insufficient_quota").ExecuteAsync(ctx); return; }
            var task = new EmuTask
            {
                Id = "task_" + Guid.NewGuid().ToString("N").Substring(0, 20),
                Dialect = "apimart",
                Model = Str(root, "model") ?? "",
                Prompt = prompt,
                Seconds = root.GetProperty("duration").GetInt32(),
                Created = DateTimeOffset.UtcNow,
                Duration = DurationFor(emu, prompt),
                Failure = FailureMarker(prompt),
            };
            emu.State.Tasks[task.Id] = task;
            await SoraEmulator.Json(new Dictionary<string, object?>
            {
                ["code"] = 200,
                ["data"] = new[] { new Dictionary<string, object?> { ["status"] = "submitted", ["task_id"] = task.Id } },
            }).ExecuteAsync(ctx);
        }

        private static Task Get(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) return Fail(401, "Invalid API key", "authentication_error").ExecuteAsync(ctx);
            var id = RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "apimart") return Fail(404, "Task not found", "not_found_error").ExecuteAsync(ctx);
            var (phase, progress) = t.StateAt(DateTimeOffset.UtcNow);
            var data = new Dictionary<string, object?>
            {
                ["id"] = t.Id,
                ["status"] = phase == "queued" ? "submitted" : phase == "running" ? "processing" : phase,
                ["progress"] = progress,
                ["created"] = t.Created.ToUnixTimeSeconds(),
            };
            if (phase == "completed")
            {
                data["result"] = new Dictionary<string, object?> { ["videos"] = new[] { new Dictionary<string, object?> { ["url"] = new[] { FileUrl(ctx, "apimart", t.Id) } } } };
                data["completed"] = t.CompletedAt.ToUnixTimeSeconds();
            }
            if (phase == "failed")
                data["error"] = new Dictionary<string, object?> { ["message"] = t.Failure == "moderation" ? "Content moderation: the prompt violates the usage policy." : "Generation timed out." };
            if (phase == "completed" || phase == "failed") data["cost"] = phase == "failed" ? 0 : Cost;
            return SoraEmulator.Json(new Dictionary<string, object?> { ["code"] = 200, ["data"] = data }).ExecuteAsync(ctx);
        }
    }
}
