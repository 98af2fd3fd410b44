using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace SoraPS.Emulator
{
    /// <summary>Small helpers the route families share.</summary>
    internal static class RouteHelpers
    {
        /// <summary>Reads a JSON object body; null when it is not one.</summary>
        public static async Task<JsonElement?> ReadObject(HttpRequest request)
        {
            try
            {
                using (var doc = await JsonDocument.ParseAsync(request.Body))
                    return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : (JsonElement?)null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>The first field not in <paramref name="allowed"/>, or null.</summary>
        public static string? UnknownField(JsonElement root, params string[] allowed) =>
            root.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !allowed.Contains(n));

        public static string? Str(JsonElement root, string name) =>
            root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        /// <summary>A route value of the matched route (an empty string when the route has none).</summary>
        public static string RouteValue(HttpContext ctx, string name) => ctx.Request.RouteValues[name] as string ?? "";

        public static bool Has(JsonElement root, string name) => root.TryGetProperty(name, out _);

        public static string? FailureMarker(string? prompt) =>
            prompt == null ? null : prompt.Contains("[fail:moderation]") ? "moderation" : prompt.Contains("[fail:timeout]") ? "timeout" : null;

        /// <summary>How long a generation runs: the configured time, ten times that for a prompt containing [slow].</summary>
        public static TimeSpan DurationFor(SoraEmulator emu, string? prompt)
        {
            var o = emu.Options;
            var d = o.TaskDuration;
            if (o.TaskDurationMax.HasValue && o.TaskDurationMax.Value > d)
                d += TimeSpan.FromTicks((long)(emu.State.NextRandom() * (o.TaskDurationMax.Value - d).Ticks));
            return prompt != null && prompt.Contains("[slow]") ? TimeSpan.FromTicks(d.Ticks * 10) : d;
        }

        public static bool IsHttpUrl(string? s) =>
            Uri.TryCreate(s, UriKind.Absolute, out var u) && (u.Scheme == "http" || u.Scheme == "https");

        public static string FileUrl(HttpContext ctx, string prefix, string id) =>
            $"{ctx.Request.Scheme}://{ctx.Request.Host}/{prefix}/files/{id}.mp4";

        /// <summary>The result "CDN" of a task-style relay: no key needed, gone after the link lifetime.</summary>
        public static Task ServeFile(HttpContext ctx, SoraEmulator emu, string dialect, string id)
        {
            if (!emu.State.Tasks.TryGetValue(id, out var t) || t.Dialect != dialect || t.StateAt(DateTimeOffset.UtcNow).Phase != "completed")
                return Results.StatusCode(404).ExecuteAsync(ctx);
            if (DateTimeOffset.UtcNow > t.CompletedAt + emu.Options.LinkLifetime)
                return Results.Text("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", "application/xml", null, 403).ExecuteAsync(ctx);
            return VideoResult(emu, id).ExecuteAsync(ctx);
        }

        /// <summary>
        /// The video answer: the sample MP4 with an ETag and Last-Modified, Range support and If-Range
        /// honoured (a stale validator gets the whole file), or a streamed synthetic one for benchmarks.
        /// With <see cref="EmulatorOptions.DistinctVideos"/> each task's video is its own (see <see cref="EmulatorState.VideoFor"/>).
        /// </summary>
        public static IResult VideoResult(SoraEmulator emu, string? id = null)
        {
            if (emu.Options.SyntheticVideoBytes > 0)
                return new DelegateResult(ctx => SyntheticVideo.Serve(ctx, emu.Options.SyntheticVideoBytes));
            var distinct = emu.Options.DistinctVideos ? id : null;
            return Results.Bytes(distinct != null ? emu.State.VideoFor(distinct) : emu.State.Video, "video/mp4", enableRangeProcessing: true,
                lastModified: emu.State.VideoModified.AddSeconds(emu.State.VideoVersion),
                entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue("\"video-v" + emu.State.VideoVersion + (distinct != null ? "-" + distinct : "") + "\""));
        }

        private sealed class DelegateResult : IResult
        {
            private readonly Func<HttpContext, Task> _run;
            public DelegateResult(Func<HttpContext, Task> run) { _run = run; }
            public Task ExecuteAsync(HttpContext httpContext) => _run(httpContext);
        }

        /// <summary>The OpenAI-style error body many relays use.</summary>
        public static IResult Error(int status, string message, string type, string? code = null, string? param = null) =>
            SoraEmulator.Json(new Dictionary<string, object?>
            {
                ["error"] = new Dictionary<string, object?> { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
            }, status);
    }
}
