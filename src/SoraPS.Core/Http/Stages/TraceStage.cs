using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>Traces each attempt (method, address, status, time taken, or why it failed) with secrets removed.</summary>
    public sealed class TraceStage : HttpStage
    {
        private readonly ISoraLog _log;

        public TraceStage(ISoraLog log)
        {
            _log = log ?? NullLog.Instance;
        }

        public override async Task SendAsync(HttpExchange exchange, Func<Task> next)
        {
            var what = exchange.What;
            var watch = Stopwatch.StartNew();
            try
            {
                await next().ConfigureAwait(false);
            }
            catch (SoraNetworkException e)
            {
                _log.Verbose(Redactor.Redact($"HTTP {what} -> failed after {watch.ElapsedMilliseconds} ms: {e.Message}"));
                throw;
            }
            var response = exchange.Response;
            if (response != null)
                _log.Verbose(Redactor.Redact(string.Format(CultureInfo.InvariantCulture, "HTTP {0} -> {1} {2} ({3} ms)", what, (int)response.StatusCode, response.ReasonPhrase, watch.ElapsedMilliseconds)));
        }
    }
}
