using System;
using System.Threading.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>Turns the body read into text (in the answer's charset, else UTF-8) with every key and token shape removed.</summary>
    public sealed class RedactStage : HttpStage
    {
        public override async Task SendAsync(HttpExchange exchange, Func<Task> next)
        {
            await next().ConfigureAwait(false);
            exchange.Text = Redactor.Redact(Decode(exchange.Body ?? new byte[0], exchange.Response?.Content?.Headers.ContentType?.CharSet));
        }

        internal static string Decode(byte[] bytes, string? charset)
        {
            var encoding = System.Text.Encoding.UTF8;
            if (charset != null && charset.Length > 0)
            {
                try { encoding = System.Text.Encoding.GetEncoding(charset.Trim('"')); }
                catch (ArgumentException) { }
            }
            return encoding.GetString(bytes);
        }
    }
}
