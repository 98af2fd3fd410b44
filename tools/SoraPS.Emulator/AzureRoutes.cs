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
    /// <summary>Azure OpenAI's Sora jobs API under /azure: api-key header, api-version query, job id != generation id.</summary>
    internal static class AzureRoutes
    {
        private static readonly string[] Sizes = { "480x480", "854x480", "480x854", "720x720", "1280x720", "720x1280", "1080x1080", "1920x1080", "1080x1920" };

        public static void Map(WebApplication app, SoraEmulator emu)
        {
            app.MapPost("/azure/openai/v1/video/generations/jobs", ctx => Create(ctx, emu));
            app.MapGet("/azure/openai/v1/video/generations/jobs/{id}", ctx => Get(ctx, emu));
            app.MapGet("/azure/openai/v1/video/generations/jobs", ctx => List(ctx, emu));
            app.MapGet("/azure/openai/v1/video/generations/{gen}/content/{variant}", ctx => Content(ctx, emu));
            app.MapDelete("/azure/openai/v1/video/generations/jobs/{id}", ctx =>
            {
                var problem = Check(ctx, emu);
                if (problem != null) return problem.ExecuteAsync(ctx);
                var id = RouteHelpers.RouteValue(ctx, "id");
                if (!emu.State.Tasks.TryRemove(id, out _)) return AzureError(404, "NotFound", $"Job '{id}' not found.").ExecuteAsync(ctx);
                ctx.Response.StatusCode = 204;
                return System.Threading.Tasks.Task.CompletedTask;
            });
        }

        private static IResult AzureError(int status, string code, string message) =>
            SoraEmulator.Json(new Dictionary<string, object?> { ["error"] = new Dictionary<string, object?> { ["code"] = code, ["message"] = message } }, status);

        /// <summary>Azure wants the key in api-key and the api-version in the query.</summary>
        private static IResult? Check(HttpContext ctx, SoraEmulator emu)
        {
            if (ctx.Request.Headers["api-key"].ToString() != emu.Options.ApiKey)
                return AzureError(401, "401", "Access denied due to invalid subscription key or wrong API endpoint.");
            if (string.IsNullOrEmpty(ctx.Request.Query["api-version"]))
                return AzureError(404, "404", "Resource not found: the api-version query parameter is required.");
            return null;
        }

        private static async Task Create(HttpContext ctx, SoraEmulator emu)
        {
            var problem = Check(ctx, emu);
            if (problem != null) { await problem.ExecuteAsync(ctx); return; }
            var body = await ReadObject(ctx.Request);
            if (body == null) { await AzureError(400, "BadRequest", "Body must be a JSON object.").ExecuteAsync(ctx); return; }
            var root = body.Value;
            var unknown = UnknownField(root, "model", "prompt", "n_seconds", "width", "height", "n_variants", "inpaint_items");
            if (unknown != null) { await AzureError(400, "BadRequest", $"Unknown parameter '{unknown}'.").ExecuteAsync(ctx); return; }
            var prompt = Str(root, "prompt");
            if (string.IsNullOrEmpty(prompt)) { await AzureError(400, "BadRequest", "prompt is required.").ExecuteAsync(ctx); return; }
            if (Str(root, "model") != "sora") { await AzureError(400, "BadRequest", "model must be 'sora'.").ExecuteAsync(ctx); return; }
            int Int(string name, int fallback) =>
                root.TryGetProperty(name, out var v) ? (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : -1) : fallback;
            var seconds = Int("n_seconds", 5);
            var w = Int("width", -1);
            var h = Int("height", -1);
            if (seconds < 1 || seconds > 20) { await AzureError(400, "BadRequest", "n_seconds must be an integer from 1 to 20.").ExecuteAsync(ctx); return; }
            if (!Sizes.Contains($"{w}x{h}")) { await AzureError(400, "BadRequest", "width and height must be integers from: " + string.Join(", ", Sizes)).ExecuteAsync(ctx); return; }
            if (Int("n_variants", 1) < 1) { await AzureError(400, "BadRequest", "n_variants must be a positive integer.").ExecuteAsync(ctx); return; }
            if (prompt.Contains("[quota]")) { await AzureError(429, "quota_exceeded", "Quota exceeded for this deployment.").ExecuteAsync(ctx); return; }
            if (prompt.Contains("[refuse]"))
            {
                // The published error schema: the content filter's verdict under inner_error.
                await SoraEmulator.Json(new Dictionary<string, object?>
                {
                    ["error"] = new Dictionary<string, object?>
                    {
                        ["code"] = "content_filter",
                        ["message"] = "The prompt was filtered due to triggering Azure OpenAI's content filtering system.",
                        ["param"] = "prompt",
                        ["type"] = "invalid_request_error",
                        ["inner_error"] = new Dictionary<string, object?>
                        {
                            ["code"] = "ResponsibleAIPolicyViolation",
                            ["revised_prompt"] = "A calm scene",
                            ["error_details"] = new Dictionary<string, object?> { ["violence"] = new Dictionary<string, object?> { ["filtered"] = true, ["severity"] = "high" } },
                        },
                    },
                }, 400).ExecuteAsync(ctx);
                return;
            }
            var task = new EmuTask
            {
                Id = "task_" + Guid.NewGuid().ToString("N").Substring(0, 26),
                Dialect = "azure",
                Model = "sora",
                Prompt = prompt,
                Seconds = seconds,
                Size = $"{w}x{h}",
                Created = DateTimeOffset.UtcNow,
                Duration = RouteHelpers.DurationFor(emu, prompt),
                Failure = FailureMarker(prompt),
            };
            task.Extra["generation"] = "gen_" + Guid.NewGuid().ToString("N").Substring(0, 26);
            task.Extra["width"] = w;
            task.Extra["height"] = h;
            emu.State.Tasks[task.Id] = task;
            await SoraEmulator.Json(Job(emu, task)).ExecuteAsync(ctx);
        }

        private static Dictionary<string, object?> Job(SoraEmulator emu, EmuTask t)
        {
            var f = t.Fraction(DateTimeOffset.UtcNow);
            var (phase, _) = t.StateAt(DateTimeOffset.UtcNow);
            var status = phase == "completed" ? "succeeded" : phase == "failed" ? "failed" : f < 0.15 ? "queued" : f < 0.3 ? "preprocessing" : f < 0.8 ? "running" : "processing";
            return new Dictionary<string, object?>
            {
                ["object"] = "video.generation.job",
                ["id"] = t.Id,
                ["status"] = status,
                ["created_at"] = t.Created.ToUnixTimeSeconds(),
                ["finished_at"] = phase == "completed" || phase == "failed" ? t.CompletedAt.ToUnixTimeSeconds() : (object?)null,
                ["expires_at"] = phase == "completed" ? (t.CompletedAt + emu.Options.LinkLifetime).ToUnixTimeSeconds() : (object?)null,
                ["generations"] = phase == "completed"
                    ? new object[]
                    {
                        new Dictionary<string, object?>
                        {
                            ["object"] = "video.generation", ["id"] = t.Extra["generation"], ["job_id"] = t.Id, ["created_at"] = t.CompletedAt.ToUnixTimeSeconds(),
                            ["width"] = t.Extra["width"], ["height"] = t.Extra["height"], ["n_seconds"] = t.Seconds, ["prompt"] = t.Prompt,
                        },
                    }
                    : Array.Empty<object>(),
                ["prompt"] = t.Prompt,
                ["model"] = t.Model,
                ["n_variants"] = 1,
                ["n_seconds"] = t.Seconds,
                ["height"] = t.Extra["height"],
                ["width"] = t.Extra["width"],
                ["failure_reason"] = phase == "failed" ? (t.Failure == "moderation" ? "output_moderation" : "internal_error") : null,
            };
        }

        /// <summary>The jobs list, newest first: limit (default 20) and after (a job id) as Azure pages it.</summary>
        private static Task List(HttpContext ctx, SoraEmulator emu)
        {
            var problem = Check(ctx, emu);
            if (problem != null) return problem.ExecuteAsync(ctx);
            var limit = int.TryParse(ctx.Request.Query["limit"], out var l) && l > 0 ? Math.Min(l, 100) : 20;
            var all = emu.State.Tasks.Values.Where(t => t.Dialect == "azure").OrderByDescending(t => t.Created).ThenByDescending(t => t.Id, StringComparer.Ordinal).ToList();
            var after = ctx.Request.Query["after"].ToString();
            if (!string.IsNullOrEmpty(after))
            {
                var at = all.FindIndex(t => t.Id == after);
                all = at < 0 ? new List<EmuTask>() : all.Skip(at + 1).ToList();
            }
            var page = all.Take(limit).Select(t => Job(emu, t)).ToList();
            return SoraEmulator.Json(new Dictionary<string, object?>
            {
                ["object"] = "list",
                ["data"] = page,
                ["first_id"] = page.Count > 0 ? page[0]["id"] : null,
                ["last_id"] = page.Count > 0 ? page[page.Count - 1]["id"] : null,
                ["has_more"] = all.Count > limit,
            }).ExecuteAsync(ctx);
        }

        private static Task Get(HttpContext ctx, SoraEmulator emu)
        {
            var problem = Check(ctx, emu);
            if (problem != null) return problem.ExecuteAsync(ctx);
            var id = RouteHelpers.RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "azure")
                return AzureError(404, "NotFound", $"Job '{id}' not found.").ExecuteAsync(ctx);
            return SoraEmulator.Json(Job(emu, t)).ExecuteAsync(ctx);
        }

        private static Task Content(HttpContext ctx, SoraEmulator emu)
        {
            var problem = Check(ctx, emu);
            if (problem != null) return problem.ExecuteAsync(ctx);
            var gen = RouteHelpers.RouteValue(ctx, "gen");
            var t = emu.State.Tasks.Values.FirstOrDefault(x => x.Dialect == "azure" && (string?)x.Extra["generation"] == gen);
            if (t == null || t.StateAt(DateTimeOffset.UtcNow).Phase != "completed")
                return AzureError(404, "NotFound", $"Generation '{gen}' not found.").ExecuteAsync(ctx);
            if (DateTimeOffset.UtcNow > t.CompletedAt + emu.Options.LinkLifetime)
                return AzureError(404, "NotFound", $"Generation '{gen}' has expired.").ExecuteAsync(ctx);
            var quality = ctx.Request.Query["quality"].ToString();
            if (quality.Length > 0 && quality != "high" && quality != "low")
                return AzureError(400, "BadRequest", "quality must be high or low.").ExecuteAsync(ctx);
            var variant = RouteHelpers.RouteValue(ctx, "variant");
            if (variant == "video") return RouteHelpers.VideoResult(emu).ExecuteAsync(ctx);
            if (variant == "thumbnail") return Results.Bytes(Assets.Jpeg, "image/jpeg").ExecuteAsync(ctx);
            return AzureError(400, "BadRequest", "Unknown content variant.").ExecuteAsync(ctx);
        }
    }
}
