using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static SoraPS.Emulator.RouteHelpers;

namespace SoraPS.Emulator
{
    /// <summary>OneRouter (seed 001) under /onerouter: the request stays open until the video is ready.</summary>
    internal static class OneRouterRoutes
    {
        public static void Map(WebApplication app, SoraEmulator emu)
        {
            app.MapPost("/onerouter/v1/videos/generations", ctx => Create(ctx, emu));
            app.MapGet("/onerouter/files/{id}.mp4", ctx => ServeFile(ctx, emu, "onerouter", RouteHelpers.RouteValue(ctx, "id")));
        }

        private static bool Authorized(HttpContext ctx, SoraEmulator emu) =>
            emu.IsAuthorized(ctx.Request) || ctx.Request.Headers.Authorization.ToString() == emu.Options.ApiKey;

        private static async Task Create(HttpContext ctx, SoraEmulator emu)
        {
            if (!Authorized(ctx, emu)) { await Error(401, "Invalid API key", "authentication_error", "invalid_api_key").ExecuteAsync(ctx); return; }
            var body = await ReadObject(ctx.Request);
            if (body == null) { await Error(400, "Body must be a JSON object", "invalid_request_error").ExecuteAsync(ctx); return; }
            var root = body.Value;
            var unknown = UnknownField(root, "model", "prompt", "resolution", "aspect_ratio", "duration", "image_url", "output_format");
            if (unknown != null) { await Error(400, $"Unknown parameter '{unknown}'", "invalid_request_error", "invalid_parameter", unknown).ExecuteAsync(ctx); return; }
            if (Str(root, "model") != "sora-2-pro-image-to-video") { await Error(400, "model is the model name: sora-2-pro-image-to-video", "invalid_request_error", "invalid_parameter", "model").ExecuteAsync(ctx); return; }
            var prompt = Str(root, "prompt");
            if (string.IsNullOrEmpty(prompt)) { await Error(400, "prompt is required", "invalid_request_error", "invalid_parameter", "prompt").ExecuteAsync(ctx); return; }
            if (!IsHttpUrl(Str(root, "image_url"))) { await Error(400, "image_url is required: the URL of the first frame", "invalid_request_error", "invalid_parameter", "image_url").ExecuteAsync(ctx); return; }
            var checks = new (string Field, string[] Allowed)[]
            {
                ("resolution", new[] { "auto", "720p", "1080p" }),
                ("aspect_ratio", new[] { "auto", "9:16", "16:9" }),
                ("duration", new[] { "4", "8", "12" }),
                ("output_format", new[] { "url" }),
            };
            foreach (var (field, allowed) in checks)
            {
                if (Has(root, field) && !allowed.Contains(Str(root, field)))
                {
                    await Error(400, $"{field} must be one of {string.Join(", ", allowed)} (a string)", "invalid_request_error", "invalid_parameter", field).ExecuteAsync(ctx);
                    return;
                }
            }
            if (prompt.Contains("[quota]")) { await Error(402, "Insufficient balance", "insufficient_quota", "insufficient_quota").ExecuteAsync(ctx); return; }
            var task = new EmuTask
            {
                Id = "video_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N").Substring(0, 16),
                Dialect = "onerouter",
                Model = Str(root, "model") ?? "",
                Prompt = prompt,
                Seconds = int.Parse(Str(root, "duration") ?? "4"),
                Created = DateTimeOffset.UtcNow,
                Duration = RouteHelpers.DurationFor(emu, prompt),
                Failure = FailureMarker(prompt),
            };
            emu.State.Tasks[task.Id] = task;
            // Synchronous: the answer comes when the video is done (or refused by moderation at 90 %).
            var wait = task.Failure != null ? TimeSpan.FromTicks((long)(task.Duration.Ticks * 0.9)) : task.Duration;
            try { await Task.Delay(wait, ctx.RequestAborted); }
            catch (OperationCanceledException) { return; }
            // Timers may fire a hair early: the video is done when the answer says so.
            task.Duration = DateTimeOffset.UtcNow - task.Created;
            if (task.Failure != null)
            {
                await Error(400, "Your request was rejected as a result of our safety system.", "invalid_request_error", "content_policy_violation").ExecuteAsync(ctx);
                return;
            }
            await SoraEmulator.Json(new Dictionary<string, object?>
            {
                ["data"] = new[]
                {
                    new Dictionary<string, object?> { ["url"] = FileUrl(ctx, "onerouter", task.Id), ["revised_prompt"] = "", ["video_id"] = task.Id },
                },
                ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            }).ExecuteAsync(ctx);
        }
    }
}
