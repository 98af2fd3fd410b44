using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// Tells push-back from refusals: a 429 whose body speaks of an exhausted quota or billing is marked
    /// <see cref="HttpExchange.QuotaExhausted"/> (waiting does not help); any other 429, and a 503, is reported to
    /// <see cref="Throttled"/> with the provider's retry hint, which lowers the profile's adaptive limit.
    /// </summary>
    public sealed class ThrottleStage : HttpStage
    {
        private readonly int _maxBodyBytes;

        /// <param name="maxBodyBytes">The most of a 429's body read to look for a quota refusal (the rest is not read).</param>
        public ThrottleStage(int maxBodyBytes)
        {
            _maxBodyBytes = maxBodyBytes;
        }

        /// <summary>Called when the provider pushes back, with its retry hint if any.</summary>
        public Action<RequestKind, TimeSpan?>? Throttled { get; set; }

        public override async Task SendAsync(HttpExchange exchange, Func<Task> next)
        {
            await next().ConfigureAwait(false);
            var response = exchange.Response;
            if (response == null) return;
            var status = (int)response.StatusCode;
            if (status == 429) exchange.QuotaExhausted = await IsQuotaRefusalAsync(response, _maxBodyBytes, exchange.Cancel).ConfigureAwait(false);
            if (!exchange.QuotaExhausted && (status == 429 || status == 503))
                Throttled?.Invoke(exchange.Kind, RetryPolicy.ParseRetryHint(n => HeaderOf(response, n), DateTimeOffset.UtcNow));
        }

        internal static string? HeaderOf(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;

        /// <summary>Reads at most the cap (plus one byte, so an oversized body is still seen as one) and keeps it for the caller.</summary>
        private static async Task<bool> IsQuotaRefusalAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancel)
        {
            if (response.Content == null) return false;
            try
            {
                var headers = response.Content.Headers;
                byte[] bytes;
                using (var stream = await Compat.ReadAsStreamAsync(response.Content, cancel).ConfigureAwait(false))
                using (var buffer = new MemoryStream())
                {
                    var chunk = new byte[81920];
                    int n;
                    while (buffer.Length <= maxBytes && (n = await stream.ReadAsync(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length), cancel).ConfigureAwait(false)) > 0)
                        buffer.Write(chunk, 0, n);
                    bytes = buffer.ToArray();
                }
                var kept = new ByteArrayContent(bytes);
                foreach (var h in headers)
                    if (!h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) kept.Headers.TryAddWithoutValidation(h.Key, h.Value);
                response.Content = kept;
                var body = System.Text.Encoding.UTF8.GetString(bytes);
                return body.IndexOf("insufficient_quota", StringComparison.OrdinalIgnoreCase) >= 0 ||
                       body.IndexOf("quota_exceeded", StringComparison.OrdinalIgnoreCase) >= 0 ||
                       body.IndexOf("billing", StringComparison.OrdinalIgnoreCase) >= 0;
            }
            catch (Exception e) when (e is HttpRequestException || e is IOException || e is OperationCanceledException)
            {
                return false;
            }
        }
    }
}
