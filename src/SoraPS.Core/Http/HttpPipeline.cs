using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// One call on its way through an <see cref="HttpPipeline"/>: what kind of call it is, the request of the
    /// current attempt (built afresh for each attempt, since a sent request cannot be sent again) and what came back.
    /// </summary>
    public sealed class HttpExchange
    {
        private Func<HttpRequestMessage> _build;
        private HttpRequestMessage? _request;

        public HttpExchange(Func<HttpRequestMessage> build, RequestKind kind, TimeSpan timeout, CancellationToken cancel)
        {
            _build = build ?? throw new ArgumentNullException(nameof(build));
            Kind = kind;
            Timeout = timeout;
            Cancel = cancel;
        }

        public RequestKind Kind { get; }
        /// <summary>How long one attempt may wait for the answer's headers (and an API answer's body).</summary>
        public TimeSpan Timeout { get; }
        /// <summary>The caller's token (Ctrl+C, a wait's limit); time limits of single attempts are not in it.</summary>
        public CancellationToken Cancel { get; }
        /// <summary>
        /// The command's time limit (null: none). Each attempt's time limit is cut to the time left, and no retry waits past
        /// it: what it ends is a <see cref="TimeLimit"/> error (or, for a submission that may be out, an unknown outcome).
        /// </summary>
        public DateTimeOffset? Deadline { get; set; }

        /// <summary>How long the current attempt may wait: <see cref="Timeout"/>, cut to the time left before <see cref="Deadline"/>.</summary>
        public TimeSpan AttemptTimeout(out bool byDeadline) => TimeLimit.Bound(Timeout, Deadline, out byDeadline);

        /// <summary>The attempt under way, from 1 (0 before the first); each redirect followed starts again from 1.</summary>
        public int Attempt { get; private set; }

        /// <summary>The current attempt's request (built by <see cref="NewAttempt"/>).</summary>
        public HttpRequestMessage Request => _request ?? throw new InvalidOperationException("No attempt has been started.");

        /// <summary>The answer's headers (its body unread unless a stage read it); null while none came.</summary>
        public HttpResponseMessage? Response { get; set; }

        /// <summary>"METHOD uri" of the current request, for messages.</summary>
        public string What => Request.Method + " " + Request.RequestUri;

        /// <summary>Set by <see cref="ThrottleStage"/>: a 429 that says the quota or billing is exhausted (waiting does not help).</summary>
        public bool QuotaExhausted { get; set; }

        /// <summary>The answer's body, read whole by <see cref="AnswerCapStage"/> (API calls only).</summary>
        public byte[]? Body { get; set; }

        /// <summary>The body as text with every secret removed, by <see cref="RedactStage"/>.</summary>
        public string? Text { get; set; }

        /// <summary>Builds the request of attempt <paramref name="attempt"/>; the previous request is disposed.</summary>
        public HttpRequestMessage NewAttempt(int attempt)
        {
            _request?.Dispose();
            Response = null;
            QuotaExhausted = false;
            Attempt = attempt;
            return _request = _build();
        }

        /// <summary>From now on the requests go to <paramref name="target"/> (a redirect being followed).</summary>
        public void RedirectTo(Uri target)
        {
            var build = _build;
            _build = () =>
            {
                var r = build();
                r.RequestUri = target;
                return r;
            };
        }

        /// <summary>Disposes the last request (its answer, if any, belongs to the caller).</summary>
        public void EndAttempts()
        {
            _request?.Dispose();
        }
    }

    /// <summary>
    /// One concern of the HTTP core (credentials, tracing, retries, ...). A stage does its part around
    /// <c>next</c>, the rest of the pipeline; the last stage of a pipeline sends (it does not call next).
    /// </summary>
    public abstract class HttpStage
    {
        public abstract Task SendAsync(HttpExchange exchange, Func<Task> next);
    }

    /// <summary>Stages run in order, each around the ones after it.</summary>
    public sealed class HttpPipeline
    {
        private readonly HttpStage[] _stages;

        public HttpPipeline(params HttpStage[] stages)
        {
            _stages = stages ?? throw new ArgumentNullException(nameof(stages));
        }

        public Task SendAsync(HttpExchange exchange) => Run(exchange, 0);

        private Task Run(HttpExchange exchange, int index)
        {
            if (index >= _stages.Length) throw new InvalidOperationException("The pipeline ended without a stage that sends the request.");
            return _stages[index].SendAsync(exchange, () => Run(exchange, index + 1));
        }
    }
}
