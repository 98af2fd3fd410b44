using System;
using System.Buffers.Binary;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace SoraPS.Emulator
{
    /// <summary>
    /// A video of any size, made up as it is sent: an 'ftyp' box, then one 'free' box of zeros.
    /// Nothing is held in memory, Range requests are answered, so gigabyte downloads can be measured.
    /// </summary>
    internal static class SyntheticVideo
    {
        private static readonly byte[] Header = BuildHeader();

        private static byte[] BuildHeader()
        {
            var h = new byte[32];
            BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(0), 24);
            "ftypisom"u8.CopyTo(h.AsSpan(4));
            BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(12), 0x200);
            "isomiso2"u8.CopyTo(h.AsSpan(16));
            // bytes 24..31: the 'free' box header, its size filled per video
            "free"u8.CopyTo(h.AsSpan(28));
            return h;
        }

        public static async Task Serve(HttpContext ctx, long length)
        {
            long from = 0, to = length - 1;
            var range = ctx.Request.Headers.Range.ToString();
            ctx.Response.Headers.AcceptRanges = "bytes";
            ctx.Response.ContentType = "video/mp4";
            if (range.StartsWith("bytes=", StringComparison.Ordinal))
            {
                var parts = range.Substring(6).Split('-');
                if (!long.TryParse(parts[0], out from) || from >= length)
                {
                    ctx.Response.StatusCode = 416;
                    ctx.Response.Headers.ContentRange = $"bytes */{length}";
                    return;
                }
                if (parts.Length > 1 && long.TryParse(parts[1], out var end) && end < length) to = end;
                ctx.Response.StatusCode = 206;
                ctx.Response.Headers.ContentRange = $"bytes {from}-{to}/{length}";
            }
            ctx.Response.ContentLength = to - from + 1;
            var header = (byte[])Header.Clone();
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(24), (int)Math.Min(int.MaxValue, length - 24));
            var chunk = new byte[256 * 1024];
            var pos = from;
            while (pos <= to)
            {
                var n = (int)Math.Min(chunk.Length, to - pos + 1);
                Array.Clear(chunk, 0, n);
                if (pos < header.Length)
                {
                    var h = (int)Math.Min(header.Length - pos, n);
                    Array.Copy(header, pos, chunk, 0, h);
                }
                await ctx.Response.Body.WriteAsync(chunk.AsMemory(0, n), ctx.RequestAborted);
                pos += n;
            }
        }
    }
}
