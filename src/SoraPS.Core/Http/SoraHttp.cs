using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// The HTTP core every dialect shares, as two pipelines of small stages. An API call (create, status, list,
    /// cancel, delete) goes through redaction, the answer size cap, the refusal of redirects, retries, throttling,
    /// tracing, credentials and the transport; a download's request through redirect following, retries,
    /// throttling, tracing, credentials and the transport. Each stage is one concern (see its own summary).
    /// </summary>
    public sealed class SoraHttp
    {
        private static readonly Lazy<HttpClient> SharedClient = new Lazy<HttpClient>(CreateClient);
        private readonly CredentialStage _credentials;
        private readonly ThrottleStage _throttle;
        private readonly HttpPipeline _api;
        private readonly HttpPipeline _stream;

        public SoraHttp(Uri baseUri, ApiCredential? credential, AuthScheme scheme, ISoraLog? log = null, RetryPolicy? retry = null, HttpClient? client = null)
        {
            if (baseUri == null) throw new ArgumentNullException(nameof(baseUri));
            Log = log ?? NullLog.Instance;
            Retry = retry ?? RetryPolicy.Default;
            _credentials = new CredentialStage(baseUri, credential, scheme);
            _throttle = new ThrottleStage(MaxResponseBytes);
            var retries = new RetryStage(Retry, Log);
            var trace = new TraceStage(Log);
            var transport = new TransportStage(client ?? SharedClient.Value);
            _api = new HttpPipeline(new RedactStage(), new AnswerCapStage(MaxResponseBytes), new RefuseRedirectStage(), retries, _throttle, trace, _credentials, transport);
            _stream = new HttpPipeline(new FollowRedirectStage(MaxRedirects, Log, _credentials.IsOwnHost), retries, _throttle, trace, _credentials, transport);
        }

        /// <summary>How many redirects a download follows.</summary>
        public const int MaxRedirects = 5;
        /// <summary>The largest JSON answer read (4 MiB); a bigger one is UnexpectedResponse.</summary>
        public const int MaxResponseBytes = 4 * 1024 * 1024;

        public RetryPolicy Retry { get; }
        public ISoraLog Log { get; }
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>Called when the provider pushes back (429 other than an exhausted quota, or 503), with its retry hint if any.</summary>
        public Action<RequestKind, TimeSpan?>? Throttled
        {
            get => _throttle.Throttled;
            set => _throttle.Throttled = value;
        }

        private static HttpClient CreateClient()
        {
            var handler = Compat.CreateHandler();
            var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.UserAgent.ParseAdd("SoraPS/" + typeof(SoraHttp).Assembly.GetName().Version?.ToString(3));
            return client;
        }

        /// <summary>True when a request to <paramref name="uri"/> should carry the key.</summary>
        internal bool IsOwnHost(Uri? uri) => _credentials.IsOwnHost(uri);

        /// <summary>
        /// Sends an API request (create, status, list, cancel, delete) and reads its body, at most
        /// <see cref="MaxResponseBytes"/>, with every key removed. A redirect is not followed: it is an
        /// UnexpectedRedirect error naming the Location. With a <paramref name="deadline"/> (a command's time limit) no
        /// attempt and no retry's back-off goes past it (see <see cref="TimeLimit"/>).
        /// </summary>
        public async Task<ProviderResponse> SendAsync(Func<HttpRequestMessage> build, RequestKind kind, CancellationToken cancel, TimeSpan? timeout = null, DateTimeOffset? deadline = null)
        {
            var exchange = new HttpExchange(build, kind, timeout ?? RequestTimeout, cancel) { Deadline = deadline };
            try
            {
                await _api.SendAsync(exchange).ConfigureAwait(false);
                var response = exchange.Response!; // the answer cap stage read it
                return new ProviderResponse((int)response.StatusCode, exchange.Text ?? "", ProviderResponse.ReadHeaders(response), response.RequestMessage?.RequestUri);
            }
            finally
            {
                exchange.Response?.Dispose();
            }
        }

        /// <summary>
        /// Opens a streaming response (headers read, body not); the caller disposes it. Redirects are followed
        /// for up to <see cref="MaxRedirects"/> hops; the key goes only to the profile's own origin.
        /// </summary>
        public async Task<HttpResponseMessage> OpenStreamAsync(Func<HttpRequestMessage> build, CancellationToken cancel, TimeSpan? headerTimeout = null)
        {
            var exchange = new HttpExchange(build, RequestKind.Read, headerTimeout ?? RequestTimeout, cancel);
            await _stream.SendAsync(exchange).ConfigureAwait(false);
            return exchange.Response!; // the transport set it, or threw
        }
    }
}
