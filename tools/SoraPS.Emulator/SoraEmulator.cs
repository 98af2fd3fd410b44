using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SoraPS.Emulator
{
    /// <summary>
    /// A provider emulator on 127.0.0.1 serving every dialect under its own path prefix, with progress over time,
    /// the documented validation and error bodies, and a real MP4 for downloads. Tests start it in-process; it also
    /// runs standalone (Program). The prefixes, from the dialect matrix (dialects.json, <see cref="DialectMatrix"/>):
    /// /openai (OpenAI, OpenAIRoutes), /unified (UnifiedTask, UnifiedRoutes), /v2task (V2Task, V2TaskRoutes),
    /// /onerouter (OneRouter, OneRouterRoutes), /soraweb (SoraWeb, SoraWebRoutes), /azure (AzureJobs, AzureRoutes),
    /// /azureopenai/openai (AzureOpenAI, AzureOpenAIRoutes). Besides them: /cdn (a stand-in CDN that serves the video
    /// to anyone, for redirects) and /_emulator (requests seen, faults to inject, per-task facts; never holds keys).
    /// </summary>
    public sealed class SoraEmulator : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private SoraEmulator(WebApplication app, EmulatorOptions options, EmulatorState state)
        {
            _app = app;
            Options = options;
            State = state;
        }

        public EmulatorOptions Options { get; }
        public EmulatorState State { get; }
        public Uri BaseUri { get; private set; } = new Uri("http://127.0.0.1/");

        /// <summary>The base URI a profile of the given dialect uses.</summary>
        public Uri DialectBase(string dialect) => new Uri(BaseUri, PrefixOf(dialect));

        /// <summary>The dialect's path prefix, from its row in the dialect matrix.</summary>
        public static string PrefixOf(string dialect) =>
            (DialectMatrix.Find(dialect) ?? throw new ArgumentException("The emulator does not serve dialect " + dialect + ": it has no row in dialects.json.")).Prefix;

        /// <summary>Every prefix the emulator serves, one per dialect and then its own (/cdn, /_emulator), for the banner and the root page.</summary>
        public static string Prefixes() =>
            string.Join(", ", DialectMatrix.Rows.Select(r => "/" + r.Prefix + " (" + r.Dialect + ")")) +
            "; /relay (OpenAI as relays answer it), /apimart (UnifiedTask, APIMart-style answers), /cdn (a stand-in CDN), /_emulator (requests, faults, tasks)";

        public static async Task<SoraEmulator> StartAsync(EmulatorOptions? options = null, int port = 0)
        {
            options = options ?? new EmulatorOptions();
            var state = new EmulatorState(options.VideoSize);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.Listen(IPAddress.Loopback, port);
                k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            });
            var app = builder.Build();
            var emulator = new SoraEmulator(app, options, state);
            app.Use(async (ctx, next) =>
            {
                ctx.Request.EnableBuffering();
                string? body = null;
                byte[]? raw = null;
                if (ctx.Request.ContentLength > 0 || ctx.Request.Headers.ContainsKey("Transfer-Encoding"))
                {
                    using (var copy = new MemoryStream())
                    {
                        await ctx.Request.Body.CopyToAsync(copy);
                        raw = copy.ToArray();
                    }
                    ctx.Request.Body.Position = 0;
                    if (ctx.Request.HasFormContentType)
                    {
                        body = "(form)";
                    }
                    else
                    {
                        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8, false, 4096, leaveOpen: true))
                            body = await reader.ReadToEndAsync();
                        ctx.Request.Body.Position = 0;
                    }
                }
                var record = new RequestRecord
                {
                    Method = ctx.Request.Method,
                    Path = ctx.Request.Path.Value ?? "",
                    Query = ctx.Request.QueryString.Value,
                    ContentType = ctx.Request.ContentType,
                    Body = body,
                    Authorized = emulator.IsAuthorized(ctx.Request),
                    Range = ctx.Request.Headers.Range.ToString(),
                    RawBody = raw,
                    Headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => RedactCredential(h.Key, h.Value.ToString()), StringComparer.OrdinalIgnoreCase),
                    IfRange = ctx.Request.Headers.IfRange.ToString(),
                    CarriedKey = ctx.Request.Headers.ContainsKey("Authorization") || ctx.Request.Headers.ContainsKey("api-key"),
                    HeaderText = string.Join("\n", ctx.Request.Headers.Select(h => h.Key + ": " + h.Value)),
                    At = DateTimeOffset.UtcNow,
                };
                // Recorded on arrival, so a test that has its answer also sees the request.
                state.Record(record);
                if (ctx.Request.Method == "GET")
                {
                    var path = ctx.Request.Path.Value ?? "";
                    var last = path.Substring(path.LastIndexOf('/') + 1);
                    if (state.Tasks.TryGetValue(last, out var polled)) polled.CountPoll();
                }
                if (ctx.Request.Method == "POST" && emulator.Options.SubmitLatency > TimeSpan.Zero && !ctx.Request.Path.StartsWithSegments("/_emulator"))
                    await Task.Delay(emulator.Options.SubmitLatency);
                var fault = ctx.Request.Path.StartsWithSegments("/_emulator") ? null : state.TakeFault(ctx.Request.Method, ctx.Request.Path.Value ?? "", body);
                ctx.Response.OnStarting(() => { record.Status = ctx.Response.StatusCode; return Task.CompletedTask; });
                if (fault != null) await FaultInjection.Apply(ctx, fault, () => next());
                else await next();
                record.Status = ctx.Response.StatusCode;
            });
            OpenAIRoutes.Map(app, emulator);
            UnifiedRoutes.Map(app, emulator);
            V2TaskRoutes.Map(app, emulator);
            OneRouterRoutes.Map(app, emulator);
            SoraWebRoutes.Map(app, emulator);
            AzureRoutes.Map(app, emulator);
            AzureOpenAIRoutes.Map(app, emulator);
            NewApiRoutes.Map(app, emulator);
            RelayRoutes.Map(app, emulator);
            ApimartRoutes.Map(app, emulator);
            OpenRouterRoutes.Map(app, emulator);
            // Inspection for out-of-process tests (Pester): what reached the emulator. Never holds keys.
            app.MapGet("/_emulator/requests", () => Json(state.Requests.Select(r => new
            {
                method = r.Method,
                path = r.Path,
                query = r.Query,
                status = r.Status,
                authorized = r.Authorized,
                carriedKey = r.CarriedKey,
                range = r.Range,
                ifRange = r.IfRange,
                body = r.Body,
                at = r.At.ToUnixTimeMilliseconds(),
            }).ToList()));
            // Out-of-process tests add faults with a JSON body shaped like Fault.
            app.MapPost("/_emulator/faults", async ctx =>
            {
                var fault = await JsonSerializer.DeserializeAsync<Fault>(ctx.Request.Body, new JsonSerializerOptions
                {
                    PropertyNameCaseInsensitive = true,
                    Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
                });
                if (fault == null) { ctx.Response.StatusCode = 400; return; }
                state.AddFault(fault);
                ctx.Response.StatusCode = 204;
            });
            // Per-task facts for benchmarks: when each finished, and how often it was polled.
            app.MapGet("/_emulator/tasks", () => Json(state.Tasks.Values.Select(t => new
            {
                id = t.Id,
                created = t.Created.ToUnixTimeMilliseconds(),
                completed = t.CompletedAt.ToUnixTimeMilliseconds(),
                polls = t.Polls,
            }).ToList()));
            // A stand-in CDN: serves the video to anyone, for redirect targets (a second emulator on another port is another origin).
            app.MapGet("/cdn/{**path}", () => RouteHelpers.VideoResult(emulator));
            app.MapDelete("/_emulator/faults", () => { state.ClearFaults(); return Results.NoContent(); });
            app.MapGet("/", () => Results.Text("SoraPS provider emulator. Prefixes: " + Prefixes() + ".\n"));
            await app.StartAsync();
            var address = (app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
                ?? throw new InvalidOperationException("Kestrel reports no address.")).Addresses.First();
            emulator.BaseUri = new Uri(address.Replace("[::]", "127.0.0.1").TrimEnd('/') + "/");
            return emulator;
        }

        /// <summary>Keeps the scheme of an Authorization header and drops every credential.</summary>
        private static string RedactCredential(string name, string value)
        {
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                var space = value.IndexOf(' ');
                return (space > 0 ? value.Substring(0, space) : "Bearer") + " redacted";
            }
            return name.Equals("api-key", StringComparison.OrdinalIgnoreCase) ? "redacted" : value;
        }

        internal bool IsAuthorized(HttpRequest request)
        {
            var auth = request.Headers.Authorization.ToString();
            if (auth == "Bearer " + Options.ApiKey) return true;
            return request.Headers["api-key"].ToString() == Options.ApiKey;
        }

        internal static IResult Json(object body, int status = 200) =>
            Results.Text(JsonSerializer.Serialize(body), "application/json", Encoding.UTF8, status);

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
