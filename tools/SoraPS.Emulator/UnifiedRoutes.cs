using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SoraPS.Emulator
{
    /// <summary>
    /// Unified task relay shape under /unified (seeds 002 and 004): integer duration, image_urls,
    /// https-only callback, numeric error codes in HTTP errors and string codes on failed tasks.
    /// </summary>
    internal static class UnifiedRoutes
    {
        private static readonly string[] Fields = { "model", "prompt", "aspect_ratio", "duration", "size", "image_urls", "remove_watermark", "callback_url" };

        public static void Map(WebApplication app, SoraEmulator emu)
        {
            app.MapPost("/unified/v1/videos/generations", ctx => Create(ctx, emu));
            app.MapGet("/unified/v1/tasks/{id}", ctx => Get(ctx, emu));
            app.MapGet("/unified/files/{id}.mp4", ctx => File(ctx, emu));
            app.MapPost("/unified/v1/tasks/{id}/cancel", ctx =>
            {
                if (!emu.IsAuthorized(ctx.Request)) return Error(401, "Invalid or expired token", "authentication_error").ExecuteAsync(ctx);
                var id = RouteHelpers.RouteValue(ctx, "id");
                if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "unified") return Error(404, "Task not found", "not_found_error", "id").ExecuteAsync(ctx);
                var (phase, progress) = t.StateAt(DateTimeOffset.UtcNow);
                if (phase != "queued") return Error(400, "Task can no longer be cancelled", "invalid_request_error", "id").ExecuteAsync(ctx);
                t.CancelledAt = progress;
                return SoraEmulator.Json(TaskObject(emu, t, ctx)).ExecuteAsync(ctx);
            });
        }

        internal static IResult Error(int status, string message, string type, string? param = null, string? suggestion = null)
        {
            var e = new Dictionary<string, object?> { ["code"] = status, ["message"] = message, ["type"] = type };
            if (param != null) e["param"] = param;
            if (suggestion != null) e["fallback_suggestion"] = suggestion;
            return SoraEmulator.Json(new Dictionary<string, object?> { ["error"] = e }, status);
        }

        private static async Task Create(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) { await Error(401, "Invalid or expired token", "authentication_error").ExecuteAsync(ctx); return; }
            JsonElement root;
            try
            {
                root = JsonDocument.Parse(ctx.Request.Body).RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new JsonException();
            }
            catch (JsonException)
            {
                await Error(400, "Request body must be a JSON object", "invalid_request_error").ExecuteAsync(ctx);
                return;
            }
            var unknown = root.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !Fields.Contains(n));
            if (unknown != null) { await Error(400, $"Unknown parameter '{unknown}'", "invalid_request_error", unknown).ExecuteAsync(ctx); return; }

            var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            if (model == null) { await Error(400, "model is required", "invalid_request_error", "model").ExecuteAsync(ctx); return; }
            if (model != "sora-2" && model != "sora-2-pro-preview")
            {
                await Error(404, "Specified model not found", "not_found_error", "model", "sora-2").ExecuteAsync(ctx);
                return;
            }
            var pro = model == "sora-2-pro-preview";
            var prompt = root.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            if (string.IsNullOrEmpty(prompt) || prompt.Length > 5000)
            {
                await Error(400, "prompt is required and limited to 5000", "invalid_request_error", "prompt").ExecuteAsync(ctx);
                return;
            }
            var duration = pro ? 4 : 10;
            if (root.TryGetProperty("duration", out var d))
            {
                if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out duration))
                {
                    await Error(400, "Invalid duration parameter", "invalid_request_error", "duration", "duration must be an integer").ExecuteAsync(ctx);
                    return;
                }
                var allowed = pro ? new[] { 4, 8, 12 } : new[] { 10, 15 };
                if (!allowed.Contains(duration))
                {
                    await Error(400, "Invalid duration parameter", "invalid_request_error", "duration", "use " + string.Join(", ", allowed)).ExecuteAsync(ctx);
                    return;
                }
            }
            var aspect = "16:9";
            if (root.TryGetProperty("aspect_ratio", out var a))
            {
                aspect = a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                if (aspect != "16:9" && aspect != "9:16")
                {
                    await Error(400, "Invalid aspect_ratio parameter", "invalid_request_error", "aspect_ratio", "16:9 or 9:16").ExecuteAsync(ctx);
                    return;
                }
            }
            string? size = null;
            if (root.TryGetProperty("size", out var s))
            {
                size = s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                if (!pro || (size != "720p" && size != "1080p"))
                {
                    await Error(400, pro ? "Invalid size parameter" : "size is not supported by sora-2", "invalid_request_error", "size").ExecuteAsync(ctx);
                    return;
                }
            }
            if (root.TryGetProperty("image_urls", out var imgs))
            {
                if (imgs.ValueKind != JsonValueKind.Array || imgs.GetArrayLength() > 1 ||
                    imgs.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String || !Uri.TryCreate(x.GetString(), UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https")))
                {
                    await Error(400, "image_urls must be an array of at most 1 image URL", "invalid_request_error", "image_urls").ExecuteAsync(ctx);
                    return;
                }
            }
            if (root.TryGetProperty("remove_watermark", out var rw) && rw.ValueKind != JsonValueKind.True && rw.ValueKind != JsonValueKind.False)
            {
                await Error(400, "remove_watermark must be a boolean", "invalid_request_error", "remove_watermark").ExecuteAsync(ctx);
                return;
            }
            if (root.TryGetProperty("callback_url", out var cb))
            {
                var ok = cb.ValueKind == JsonValueKind.String && Uri.TryCreate(cb.GetString(), UriKind.Absolute, out var cu) && cu.Scheme == "https" &&
                         (cb.GetString() ?? "").Length <= 2048 && !cu.IsLoopback && !(IPAddress.TryParse(cu.Host, out var ip) && IsPrivate(ip));
                if (!ok)
                {
                    await Error(400, "callback_url must be a public HTTPS URL", "invalid_request_error", "callback_url").ExecuteAsync(ctx);
                    return;
                }
            }
            if (prompt.Contains("[quota]"))
            {
                await Error(402, "Insufficient quota", "insufficient_quota_error", null, "/dashboard/billing").ExecuteAsync(ctx);
                return;
            }
            var task = new EmuTask
            {
                Id = emu.State.NextId("task-unified-"),
                Dialect = "unified",
                Model = model,
                Prompt = prompt,
                Seconds = duration,
                Size = size,
                AspectRatio = aspect,
                Created = DateTimeOffset.UtcNow,
                Duration = RouteHelpers.DurationFor(emu, prompt),
                Failure = prompt.Contains("[fail:moderation]") ? "moderation" : prompt.Contains("[fail:timeout]") ? "timeout" : null,
            };
            task.Extra["credits"] = (pro ? duration * 1.0 : duration * 0.5) * (size == "1080p" ? 1.667 : 1.0);
            emu.State.Tasks[task.Id] = task;
            await SoraEmulator.Json(TaskObject(emu, task, ctx)).ExecuteAsync(ctx);
        }

        private static bool IsPrivate(IPAddress ip)
        {
            var b = ip.GetAddressBytes();
            return IPAddress.IsLoopback(ip) || b.Length == 4 && (b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168));
        }

        internal static Dictionary<string, object?> TaskObject(SoraEmulator emu, EmuTask t, HttpContext ctx)
        {
            var (phase, progress) = t.StateAt(DateTimeOffset.UtcNow);
            var status = phase == "queued" ? "pending" : phase == "running" ? "processing" : phase;
            var estimated = emu.Options.UnifiedEstimatedTime ?? t.Duration;
            if (emu.Options.EstimateNoise > 0)
            {
                if (!t.Extra.TryGetValue("estimate", out var e))
                    t.Extra["estimate"] = e = TimeSpan.FromTicks((long)(estimated.Ticks * (1 + (emu.State.NextRandom() * 2 - 1) * emu.Options.EstimateNoise)));
                estimated = (TimeSpan)e;
            }
            var o = new Dictionary<string, object?>
            {
                ["created"] = t.Created.ToUnixTimeSeconds(),
                ["id"] = t.Id,
                ["model"] = t.Model,
                ["object"] = "video.generation.task",
                ["progress"] = progress,
                ["status"] = status,
                ["task_info"] = new Dictionary<string, object?>
                {
                    ["can_cancel"] = phase == "queued",
                    ["estimated_time"] = (int)Math.Ceiling(estimated.TotalSeconds),
                    ["video_duration"] = t.Seconds,
                },
                ["type"] = "video",
                ["usage"] = new Dictionary<string, object?>
                {
                    ["billing_rule"] = "per_call",
                    ["credits_reserved"] = t.Extra["credits"],
                    ["user_group"] = "default",
                },
            };
            if (phase == "completed")
            {
                var req = ctx.Request;
                o["results"] = new[] { $"{req.Scheme}://{req.Host}/unified/files/{t.Id}.mp4" };
                o["completed_at"] = t.CompletedAt.ToUnixTimeSeconds();
            }
            if (phase == "failed")
            {
                o["error"] = t.Failure == "moderation"
                    ? new Dictionary<string, object?> { ["code"] = "content_policy_violation", ["message"] = "The generated content was flagged by moderation." }
                    : new Dictionary<string, object?> { ["code"] = "generation_timeout", ["message"] = "Generation took too long and was stopped." };
            }
            return o;
        }

        private static Task Get(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request)) return Error(401, "Invalid or expired token", "authentication_error").ExecuteAsync(ctx);
            var id = RouteHelpers.RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "unified")
                return Error(404, "Task not found", "not_found_error", "id").ExecuteAsync(ctx);
            return SoraEmulator.Json(TaskObject(emu, t, ctx)).ExecuteAsync(ctx);
        }

        /// <summary>The result "CDN": no key needed, gone after the link lifetime.</summary>
        private static Task File(HttpContext ctx, SoraEmulator emu)
        {
            var id = RouteHelpers.RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "unified" || t.StateAt(DateTimeOffset.UtcNow).Phase != "completed")
                return Results.StatusCode(404).ExecuteAsync(ctx);
            if (DateTimeOffset.UtcNow > t.CompletedAt + emu.Options.LinkLifetime)
                return Results.Text("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", "application/xml", null, 403).ExecuteAsync(ctx);
            return RouteHelpers.VideoResult(emu, id).ExecuteAsync(ctx);
        }
    }
}
