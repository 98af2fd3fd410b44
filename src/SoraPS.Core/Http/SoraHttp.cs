using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// The small HTTP core every dialect shares: puts the key only on requests to the profile's own
    /// host, reads bodies, retries what is safe to retry, and traces each exchange with secrets removed.
    /// </summary>
    public sealed class SoraHttp
    {
        private static readonly Lazy<HttpClient> SharedClient = new Lazy<HttpClient>(CreateClient);
        private readonly HttpClient _client;
        private readonly ApiCredential _credential;
        private readonly AuthScheme _scheme;
        private readonly Uri _baseUri;
        private readonly ISoraLog _log;
        private readonly Random _random = new Random();

        public SoraHttp(Uri baseUri, ApiCredential credential, AuthScheme scheme, ISoraLog log = null, RetryPolicy retry = null, HttpClient client = null)
        {
            _baseUri = baseUri ?? throw new ArgumentNullException(nameof(baseUri));
            _credential = credential;
            _scheme = scheme;
            _log = log ?? NullLog.Instance;
            Retry = retry ?? RetryPolicy.Default;
            _client = client ?? SharedClient.Value;
        }

        public RetryPolicy Retry { get; }
        public ISoraLog Log => _log;
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

        private static HttpClient CreateClient()
        {
            var handler = Compat.CreateHandler();
            var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.UserAgent.ParseAdd("SoraPS/" + typeof(SoraHttp).Assembly.GetName().Version?.ToString(3));
            return client;
        }

        /// <summary>True when a request to <paramref name="uri"/> should carry the key.</summary>
        internal bool IsOwnHost(Uri uri) =>
            Uri.Compare(uri, _baseUri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

        /// <summary>Sends a request and reads its whole body, retrying as <paramref name="kind"/> allows.</summary>
        public async Task<ProviderResponse> SendAsync(Func<HttpRequestMessage> build, RequestKind kind, CancellationToken cancel, TimeSpan? timeout = null)
        {
            var limit = timeout ?? RequestTimeout;
            using (var response = await SendCoreAsync(build, kind, limit, HttpCompletionOption.ResponseContentRead, cancel).ConfigureAwait(false))
            {
                string body;
                try
                {
                    body = response.Content == null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (!(e is OperationCanceledException) || !cancel.IsCancellationRequested)
                {
                    throw new SoraNetworkException("NetworkError", Tasks.SoraErrorKind.Network,
                        Redactor.Redact($"The connection broke while reading the answer from {response.RequestMessage?.RequestUri}: {e.Message}"), e);
                }
                return new ProviderResponse((int)response.StatusCode, body, ProviderResponse.ReadHeaders(response), response.RequestMessage?.RequestUri);
            }
        }

        /// <summary>Opens a streaming response (headers read, body not); the caller disposes it.</summary>
        public Task<HttpResponseMessage> OpenStreamAsync(Func<HttpRequestMessage> build, CancellationToken cancel, TimeSpan? headerTimeout = null) =>
            SendCoreAsync(build, RequestKind.Read, headerTimeout ?? RequestTimeout, HttpCompletionOption.ResponseHeadersRead, cancel);

        private async Task<HttpResponseMessage> SendCoreAsync(Func<HttpRequestMessage> build, RequestKind kind, TimeSpan timeout, HttpCompletionOption completion, CancellationToken cancel)
        {
            for (var attempt = 1; ; attempt++)
            {
                cancel.ThrowIfCancellationRequested();
                var request = build();
                if (_credential != null && IsOwnHost(request.RequestUri)) _credential.Apply(request, _scheme);
                var what = request.Method + " " + request.RequestUri;
                var watch = Stopwatch.StartNew();
                HttpResponseMessage response = null;
                Exception failure = null;
                bool safeToRetry;
                using (var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                {
                    timeoutCts.CancelAfter(timeout);
                    try
                    {
                        response = await _client.SendAsync(request, completion, timeoutCts.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                    {
                        request.Dispose();
                        throw;
                    }
                    catch (OperationCanceledException e)
                    {
                        failure = new SoraNetworkException(kind == RequestKind.Submit ? "SubmissionOutcomeUnknown" : "RequestTimeout",
                            Tasks.SoraErrorKind.Timeout,
                            kind == RequestKind.Submit
                                ? $"{what} got no answer within {timeout.TotalSeconds:0} s. The provider may or may not have accepted the task; it was NOT sent again. Check the provider's task list before resubmitting."
                                : $"{what} got no answer within {timeout.TotalSeconds:0} s.", e);
                    }
                    catch (HttpRequestException e)
                    {
                        var refused = IsConnectionRefused(e);
                        failure = new SoraNetworkException(
                            kind == RequestKind.Submit && !refused ? "SubmissionOutcomeUnknown" : "NetworkError",
                            Tasks.SoraErrorKind.Network,
                            kind == RequestKind.Submit && !refused
                                ? $"{what} failed after it was sent ({e.Message}). The provider may or may not have accepted the task; it was NOT sent again."
                                : $"{what} failed: {e.Message}", e);
                    }
                    catch (IOException e)
                    {
                        failure = new SoraNetworkException(kind == RequestKind.Submit ? "SubmissionOutcomeUnknown" : "NetworkError", Tasks.SoraErrorKind.Network, $"{what} failed: {e.Message}", e);
                    }
                }

                TimeSpan? hint = null;
                bool? should = null;
                if (response != null)
                {
                    var status = (int)response.StatusCode;
                    _log.Verbose(Redactor.Redact(string.Format(CultureInfo.InvariantCulture, "HTTP {0} -> {1} {2} ({3} ms)", what, status, response.ReasonPhrase, watch.ElapsedMilliseconds)));
                    string Header(string n) => response.Headers.TryGetValues(n, out var v) ? string.Join(",", v) : null;
                    should = RetryPolicy.ParseShouldRetry(Header);
                    var retryable = kind == RequestKind.Submit ? RetryPolicy.IsSafeToResubmit(status) : RetryPolicy.IsRetryableStatus(status);
                    if (retryable && status == 429 && await IsQuotaRefusalAsync(response).ConfigureAwait(false))
                        retryable = false; // an exhausted quota does not come back by waiting
                    if (should.HasValue && kind == RequestKind.Read) retryable = should.Value;
                    if (should == false) retryable = false;
                    if (!retryable || attempt >= Retry.MaxAttempts)
                    {
                        request.Dispose();
                        return response;
                    }
                    hint = RetryPolicy.ParseRetryHint(Header, DateTimeOffset.UtcNow);
                    if (hint.HasValue && hint.Value > Retry.MaxHintedDelay)
                    {
                        _log.Verbose($"Not retrying {what}: the provider asked to wait {hint.Value.TotalSeconds:0} s, longer than {Retry.MaxHintedDelay.TotalSeconds:0} s.");
                        request.Dispose();
                        return response;
                    }
                    response.Dispose();
                    safeToRetry = true;
                }
                else
                {
                    _log.Verbose(Redactor.Redact($"HTTP {what} -> failed after {watch.ElapsedMilliseconds} ms: {failure.Message}"));
                    var id = ((SoraException)failure).ErrorId;
                    safeToRetry = id != "SubmissionOutcomeUnknown";
                    if (!safeToRetry || attempt >= Retry.MaxAttempts)
                    {
                        request.Dispose();
                        throw failure;
                    }
                }
                request.Dispose();
                var delay = hint ?? Retry.Backoff(attempt, _random);
                _log.Verbose(string.Format(CultureInfo.InvariantCulture, "Retrying {0} in {1:0.0} s (attempt {2} of {3}{4}).",
                    what, delay.TotalSeconds, attempt + 1, Retry.MaxAttempts, hint.HasValue ? ", as the provider asked" : ""));
                await Task.Delay(delay, cancel).ConfigureAwait(false);
            }
        }

        private static async Task<bool> IsQuotaRefusalAsync(HttpResponseMessage response)
        {
            if (response.Content == null) return false;
            try
            {
                await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                return body.IndexOf("insufficient_quota", StringComparison.OrdinalIgnoreCase) >= 0 ||
                       body.IndexOf("quota_exceeded", StringComparison.OrdinalIgnoreCase) >= 0 ||
                       body.IndexOf("billing", StringComparison.OrdinalIgnoreCase) >= 0;
            }
            catch (Exception e) when (e is HttpRequestException || e is IOException || e is OperationCanceledException)
            {
                return false;
            }
        }

        private static bool IsConnectionRefused(Exception e)
        {
            for (var x = e; x != null; x = x.InnerException)
                if (x is SocketException se && se.SocketErrorCode == SocketError.ConnectionRefused) return true;
            return false;
        }
    }
}
