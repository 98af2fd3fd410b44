using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
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
    }

    /// <summary>A fault the next matching request(s) meet. Tests add them; the emulator applies each <see cref="Times"/> times.</summary>
    public sealed class Fault
    {
        public string Method { get; set; }
        /// <summary>Matches when the request path contains this text.</summary>
        public string Path { get; set; }
        public FaultKind Kind { get; set; }
        public int Times { get; set; } = 1;
        public int Status { get; set; } = 503;
        public Dictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();
        public TimeSpan Delay { get; set; }
        public string Word { get; set; }
        /// <summary>How much of the body is sent before a reset or truncation.</summary>
        public double Fraction { get; set; } = 0.5;
        /// <summary>How many times it was applied.</summary>
        public int Hits { get; internal set; }
    }

    internal static class FaultInjection
    {
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
