using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SoraPS.Emulator
{
    public enum FaultKind
    {
        /// <summary>Answer with <see cref="Fault.Status"/> (and <see cref="Fault.Headers"/>) instead of the real answer.</summary>
        Status,
        /// <summary>Send part of the real body, then reset the connection.</summary>
        ResetMidBody,
        /// <summary>Declare the full Content-Length, send only part of the body, end the response.</summary>
        TruncatedBody,
        /// <summary>Answer 200 with JSON cut in the middle.</summary>
        MalformedJson,
        /// <summary>Wait <see cref="Fault.Delay"/> before answering (past the client's time limit).</summary>
        Delay,
        /// <summary>Replace the task's status word with <see cref="Fault.Word"/>.</summary>
        StatusWord,
        /// <summary>Do the real work (the task is accepted), then reset the connection before answering.</summary>
        AcceptThenReset,
        /// <summary>Answer <see cref="Fault.Status"/> (301, 302, 303, 307, 308) with Location: <see cref="Fault.Location"/>.</summary>
        Redirect,
        /// <summary>
        /// Echo the request's headers (so the key) back. With a 2xx <see cref="Fault.Status"/> they are added to the real
        /// JSON answer as "echo"; otherwise the answer is an error body of that status quoting them.
        /// </summary>
        EchoHeaders,
        /// <summary>Answer 200 with a JSON body of <see cref="Fault.Size"/> bytes, streamed without a Content-Length.</summary>
        HugeBody,
        /// <summary>Send <see cref="Fault.Fraction"/> of the real body, then send nothing more for <see cref="Fault.Delay"/> (a stalled transfer).</summary>
        StallMidBody,
        /// <summary>Rewrite the real answer: every match of the regex <see cref="Fault.Pattern"/> becomes <see cref="Fault.Word"/>.</summary>
        Replace,
        /// <summary>
        /// A server that lies about the length: answer 206 with a Content-Range that claims the whole resource
        /// (bytes 0-n/total) but send only <see cref="Fault.Fraction"/> of it, with an honest Content-Length, and end cleanly.
        /// Nothing at the HTTP level is wrong; only a check of the length against the total catches it.
        /// </summary>
        ShortRange,
    }

    /// <summary>A fault the next matching request(s) meet. Tests add them; the emulator applies each <see cref="Times"/> times.</summary>
    public sealed class Fault
    {
        public string? Method { get; set; }
        /// <summary>Matches when the request path contains this text.</summary>
        public string? Path { get; set; }
        /// <summary>Matches when the request body contains this text (a create with a given prompt); null: any body.</summary>
        public string? BodyContains { get; set; }
        public FaultKind Kind { get; set; }
        public int Times { get; set; } = 1;
        public int Status { get; set; } = 503;
        public Dictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();
        public TimeSpan Delay { get; set; }
        public string? Word { get; set; }
        public string? Location { get; set; }
        public long Size { get; set; } = 50L * 1024 * 1024;
        public string? Pattern { get; set; }
        /// <summary>How much of the body is sent before a reset or truncation.</summary>
        public double Fraction { get; set; } = 0.5;
        /// <summary>How many times it was applied.</summary>
        public int Hits { get; internal set; }
    }

    internal static class FaultInjection
    {
        /// <summary>The request headers a careless relay might echo: the key ones, verbatim.</summary>
        private static Dictionary<string, string> Echo(HttpContext ctx) =>
            ctx.Request.Headers.Where(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("api-key", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("User-Agent", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Key, h => h.Value.ToString());

        public static async Task Apply(HttpContext ctx, Fault fault, Func<Task> next)
        {
            switch (fault.Kind)
            {
                case FaultKind.Status:
                    ctx.Response.StatusCode = fault.Status;
                    foreach (var h in fault.Headers) ctx.Response.Headers[h.Key] = h.Value;
                    ctx.Response.ContentType = "application/json";
                    await ctx.Response.WriteAsync("{\"error\":{\"message\":\"injected fault " + fault.Status + "\",\"type\":\"" + (fault.Status == 429 ? "rate_limit_error" : "server_error") + "\",\"code\":null}}");
                    return;
                case FaultKind.Delay:
                    try { await Task.Delay(fault.Delay, ctx.RequestAborted); }
                    catch (OperationCanceledException) { return; }
                    await next();
                    return;
                case FaultKind.Redirect:
                    ctx.Response.StatusCode = fault.Status;
                    ctx.Response.Headers.Location = fault.Location;
                    foreach (var h in fault.Headers) ctx.Response.Headers[h.Key] = h.Value;
                    return;
                case FaultKind.HugeBody:
                {
                    ctx.Response.StatusCode = 200;
                    ctx.Response.ContentType = "application/json";
                    await ctx.Response.WriteAsync("{\"id\":\"video_huge\",\"status\":\"in_progress\",\"pad\":\"");
                    var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
                    try
                    {
                        for (long sent = 0; sent < fault.Size; sent += chunk.Length)
                            await ctx.Response.Body.WriteAsync(chunk, ctx.RequestAborted);
                        await ctx.Response.WriteAsync("\"}");
                    }
                    catch (Exception e) when (e is OperationCanceledException || e is IOException)
                    {
                        // The client stopped reading: that is what a size limit does.
                    }
                    return;
                }
                case FaultKind.EchoHeaders when fault.Status < 200 || fault.Status > 299:
                {
                    ctx.Response.StatusCode = fault.Status;
                    ctx.Response.ContentType = "application/json";
                    var echo = Echo(ctx);
                    await ctx.Response.WriteAsync("{\"error\":{\"message\":\"Rejected. You sent " + JsonEncodedText.Encode(string.Join("; ", echo.Select(kv => kv.Key + ": " + kv.Value))) +
                        "\",\"type\":\"invalid_request_error\",\"code\":\"echo\"},\"headers\":" + JsonSerializer.Serialize(echo) + "}");
                    return;
                }
                case FaultKind.MalformedJson:
                    ctx.Response.StatusCode = 200;
                    ctx.Response.ContentType = "application/json";
                    await ctx.Response.WriteAsync("{\"id\":\"video_x\",\"status\":\"in_pro");
                    return;
            }
            // The rest rewrite or cut the real answer: capture it first.
            var original = ctx.Response.Body;
            var buffer = new MemoryStream();
            ctx.Response.Body = buffer;
            try
            {
                await next();
            }
            finally
            {
                ctx.Response.Body = original;
            }
            var bytes = buffer.ToArray();
            switch (fault.Kind)
            {
                case FaultKind.StatusWord:
                {
                    var text = Regex.Replace(Encoding.UTF8.GetString(bytes), "\"status\":\"[^\"]*\"", "\"status\":\"" + fault.Word + "\"");
                    var rewritten = Encoding.UTF8.GetBytes(text);
                    ctx.Response.ContentLength = rewritten.Length;
                    await original.WriteAsync(rewritten);
                    return;
                }
                case FaultKind.AcceptThenReset:
                    ctx.Abort();
                    return;
                case FaultKind.EchoHeaders:
                case FaultKind.Replace:
                {
                    var text = Encoding.UTF8.GetString(bytes);
                    if (fault.Kind == FaultKind.Replace) text = Regex.Replace(text, fault.Pattern ?? throw new InvalidOperationException("A Replace fault needs a Pattern."), fault.Word ?? "");
                    else if (text.TrimStart().StartsWith('{'))
                        text = "{\"echo\":" + JsonSerializer.Serialize(Echo(ctx)) + "," + text.TrimStart().Substring(1);
                    var rewritten = Encoding.UTF8.GetBytes(text);
                    ctx.Response.ContentLength = rewritten.Length;
                    await original.WriteAsync(rewritten);
                    return;
                }
                case FaultKind.StallMidBody:
                {
                    var part = Math.Max(1, (int)(bytes.Length * fault.Fraction));
                    ctx.Response.ContentLength = bytes.Length;
                    await original.WriteAsync(bytes.AsMemory(0, Math.Min(part, bytes.Length - 1)));
                    await original.FlushAsync();
                    try { await Task.Delay(fault.Delay, ctx.RequestAborted); }
                    catch (OperationCanceledException) { }
                    ctx.Abort();
                    return;
                }
                case FaultKind.ShortRange:
                {
                    var part = Math.Max(1, (int)(bytes.Length * fault.Fraction));
                    ctx.Response.StatusCode = 206;
                    ctx.Response.Headers.ContentRange = $"bytes 0-{bytes.Length - 1}/{bytes.Length}";
                    ctx.Response.ContentLength = part;
                    await original.WriteAsync(bytes.AsMemory(0, part));
                    return;
                }
                case FaultKind.ResetMidBody:
                case FaultKind.TruncatedBody:
                {
                    var part = Math.Max(1, (int)(bytes.Length * fault.Fraction));
                    ctx.Response.ContentLength = bytes.Length;
                    await original.WriteAsync(bytes.AsMemory(0, Math.Min(part, bytes.Length - 1)));
                    await original.FlushAsync();
                    ctx.Abort();
                    return;
                }
            }
        }
    }
}
