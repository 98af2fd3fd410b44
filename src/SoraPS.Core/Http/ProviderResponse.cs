using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;

namespace SoraPS.Core.Http
{
    /// <summary>A provider's answer, read whole: status, headers and body text.</summary>
    public sealed class ProviderResponse
    {
        public ProviderResponse(int statusCode, string body, IReadOnlyDictionary<string, string>? headers, Uri? requestUri)
        {
            StatusCode = statusCode;
            Body = body ?? "";
            Headers = headers ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            RequestUri = requestUri;
        }

        public int StatusCode { get; }
        public string Body { get; }
        public IReadOnlyDictionary<string, string> Headers { get; }
        public Uri? RequestUri { get; }
        public bool IsSuccess => StatusCode >= 200 && StatusCode < 300;

        public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

        internal static Dictionary<string, string> ReadHeaders(HttpResponseMessage response)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in response.Headers) headers[h.Key] = string.Join(",", h.Value);
            if (response.Content != null)
                foreach (var h in response.Content.Headers) headers[h.Key] = string.Join(",", h.Value);
            return headers;
        }

        public static ProviderResponse Json(int status, string body) =>
            new ProviderResponse(status, body, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), null);
    }
}
