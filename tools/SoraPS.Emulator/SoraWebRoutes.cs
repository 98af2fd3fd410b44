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
    /// <summary>The legacy Sora web shape (seed 003) under /soraweb, with the Sora-web task query.</summary>
    internal static class SoraWebRoutes
    {
        private static readonly string[] Sizes = { "480x480", "720x720", "480x854", "854x480", "1280x720", "720x1280" };

        public static void Map(WebApplication app, SoraEmulator emu)
        {
            app.MapPost("/soraweb/sora/v1/videos", ctx => Create(ctx, emu));
            app.MapGet("/soraweb/sora/v1/videos/{id}", ctx => Get(ctx, emu));
            app.MapGet("/soraweb/files/{id}.mp4", ctx =>
            {
                var gen = RouteHelpers.RouteValue(ctx, "id");
                var task = emu.State.Tasks.Values.FirstOrDefault(t => t.Dialect == "soraweb" && (string?)t.Extra["generation"] == gen);
                return ServeFile(ctx, emu, "soraweb", task?.Id ?? "-");
            });
        }

        private static IResult Fail(string message, string code = "invalid_parameter") =>
            SoraEmulator.Json(new Dictionary<string, object?> { ["code"] = code, ["message"] = message, ["data"] = null }, 400);

        private static bool IsNumber(JsonElement root, string name, out double value)
        {
            value = 0;
            return root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out value);
        }

        private static async Task Create(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request))
            {
                await SoraEmulator.Json(new Dictionary<string, object?> { ["code"] = "unauthorized", ["message"] = "invalid api key" }, 401).ExecuteAsync(ctx);
                return;
            }
            var body = await ReadObject(ctx.Request);
            if (body == null) { await Fail("body must be a JSON object").ExecuteAsync(ctx); return; }
            var root = body.Value;
            var unknown = UnknownField(root, "actions", "inpaint_items", "type", "style", "prompt", "width", "height", "n_frames", "n_variants", "sdedit", "operation", "model");
            if (unknown != null) { await Fail($"unknown field '{unknown}'").ExecuteAsync(ctx); return; }
            if (Has(root, "type") && Str(root, "type") != "video_gen") { await Fail("type must be video_gen").ExecuteAsync(ctx); return; }
            if (Has(root, "style") && Str(root, "style") != "natural") { await Fail("style must be natural").ExecuteAsync(ctx); return; }
            if (Has(root, "model") && Str(root, "model") != "turbo") { await Fail("model must be turbo").ExecuteAsync(ctx); return; }
            if (!IsNumber(root, "width", out var w) || !IsNumber(root, "height", out var h) || !Sizes.Contains($"{w}x{h}"))
            {
                await Fail("width and height must be numbers from the size table: " + string.Join(", ", Sizes)).ExecuteAsync(ctx);
                return;
            }
            if (!IsNumber(root, "n_frames", out var frames) || (frames != 150 && frames != 300)) { await Fail("n_frames must be 150 (5 s) or 300 (10 s)").ExecuteAsync(ctx); return; }
            if (Has(root, "n_variants") && (!IsNumber(root, "n_variants", out var nv) || nv < 1)) { await Fail("n_variants must be a number >= 1").ExecuteAsync(ctx); return; }
            var operation = Str(root, "operation") ?? "simple_compose";
            if (!new[] { "simple_compose", "storyboard", "remix", "blend" }.Contains(operation)) { await Fail("unknown operation").ExecuteAsync(ctx); return; }
            var prompt = Str(root, "prompt") ?? "";
            var items = root.TryGetProperty("inpaint_items", out var ii) ? ii : default;
            if (items.ValueKind != JsonValueKind.Undefined)
            {
                if (items.ValueKind != JsonValueKind.Array) { await Fail("inpaint_items must be an array").ExecuteAsync(ctx); return; }
                foreach (var item in items.EnumerateArray())
                {
                    var ok = item.ValueKind == JsonValueKind.Object && Str(item, "type") == "image" &&
                             (IsHttpUrl(Str(item, "url")) || Str(item, "upload_media_id") != null || Str(item, "generation_id") != null) &&
                             (!Has(item, "frame_index") || item.GetProperty("frame_index").ValueKind == JsonValueKind.Number);
                    if (!ok) { await Fail("each inpaint item needs type image, a url / upload_media_id / generation_id and a numeric frame_index").ExecuteAsync(ctx); return; }
                }
            }
            switch (operation)
            {
                case "storyboard":
                    if (!root.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array || actions.GetArrayLength() == 0 ||
                        actions.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.Object || !a.TryGetProperty("time", out var t) || t.ValueKind != JsonValueKind.Number || string.IsNullOrEmpty(Str(a, "description"))))
                    {
                        await Fail("storyboard needs actions [{time: number, description: string}]").ExecuteAsync(ctx);
                        return;
                    }
                    break;
                case "remix":
                    if (!root.TryGetProperty("sdedit", out var sd) || sd.ValueKind != JsonValueKind.Object || !IsNumber(sd, "amount", out var amount) || amount < 1 || amount > 8)
                    {
                        await Fail("remix needs sdedit.amount between 1 and 8").ExecuteAsync(ctx);
                        return;
                    }
                    var source = Str(sd, "source_generation_id");
                    if (source == null || !emu.State.Tasks.Values.Any(t => t.Dialect == "soraweb" && (string?)t.Extra["generation"] == source))
                    {
                        await Fail($"source generation '{source}' not found", "not_found").ExecuteAsync(ctx);
                        return;
                    }
                    break;
                case "blend":
                    if (items.ValueKind != JsonValueKind.Array || items.EnumerateArray().Count(i => Str(i, "generation_id") != null) != 2)
                    {
                        await Fail("blend needs two inpaint items with generation_id").ExecuteAsync(ctx);
                        return;
                    }
                    break;
                default:
                    if (string.IsNullOrWhiteSpace(prompt)) { await Fail("prompt is required").ExecuteAsync(ctx); return; }
                    break;
            }
            if (prompt.Contains("[quota]")) { await Fail("insufficient balance", "insufficient_quota").ExecuteAsync(ctx); return; }
            var task = new EmuTask
            {
                Id = "task_" + Guid.NewGuid().ToString("N").Substring(0, 26),
                Dialect = "soraweb",
                Model = "turbo",
                Prompt = prompt,
                Seconds = (int)frames / 30,
                Size = $"{w}x{h}",
                Created = DateTimeOffset.UtcNow,
                Duration = RouteHelpers.DurationFor(emu, prompt),
                Failure = FailureMarker(prompt),
            };
            task.Extra["generation"] = "gen_" + Guid.NewGuid().ToString("N").Substring(0, 26);
            task.Extra["operation"] = operation;
            task.Extra["width"] = (int)w;
            task.Extra["height"] = (int)h;
            emu.State.Tasks[task.Id] = task;
            await SoraEmulator.Json(new Dictionary<string, object?> { ["code"] = "success", ["message"] = "", ["data"] = task.Id }).ExecuteAsync(ctx);
        }

        private static Task Get(HttpContext ctx, SoraEmulator emu)
        {
            if (!emu.IsAuthorized(ctx.Request))
                return SoraEmulator.Json(new Dictionary<string, object?> { ["code"] = "unauthorized", ["message"] = "invalid api key" }, 401).ExecuteAsync(ctx);
            var id = RouteHelpers.RouteValue(ctx, "id");
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != "soraweb")
                return SoraEmulator.Json(new Dictionary<string, object?> { ["code"] = "not_found", ["message"] = "task not found" }, 404).ExecuteAsync(ctx);
            var (phase, progress) = t.StateAt(DateTimeOffset.UtcNow);
            var status = phase == "queued" ? "pending" : phase == "completed" ? "succeeded" : phase;
            var detail = new Dictionary<string, object?>
            {
                ["status"] = status,
                ["prompt"] = t.Prompt,
                ["pending_info"] = new Dictionary<string, object?> { ["progress_pct"] = progress / 100.0 },
                ["generations"] = phase == "completed"
                    ? new object[]
                    {
                        new Dictionary<string, object?>
                        {
                            ["id"] = t.Extra["generation"],
                            ["url"] = $"{ctx.Request.Scheme}://{ctx.Request.Host}/soraweb/files/{t.Extra["generation"]}.mp4",
                            ["width"] = t.Extra["width"],
                            ["height"] = t.Extra["height"],
                            ["n_frames"] = t.Seconds * 30,
                        },
                    }
                    : Array.Empty<object>(),
                ["failure_reason"] = phase == "failed" ? (t.Failure == "moderation" ? "output_moderation: the result violates our content policy" : "generation timed out") : null,
            };
            return SoraEmulator.Json(new Dictionary<string, object?>
            {
                ["id"] = t.Id,
                ["created_at"] = t.Created.ToString("o"),
                ["detail"] = detail,
            }).ExecuteAsync(ctx);
        }
    }
}
