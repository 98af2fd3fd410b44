using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// Reads an API answer's body whole into <see cref="HttpExchange.Body"/>, within the exchange's time limit and
    /// at most <see cref="MaxBytes"/>: a bigger answer is refused without being held in memory. A submission whose
    /// answer breaks off, times out or is too big (after a 2xx) may have been accepted: SubmissionOutcomeUnknown.
    /// </summary>
    public sealed class AnswerCapStage : HttpStage
    {
        public AnswerCapStage(int maxBytes)
        {
            MaxBytes = maxBytes;
        }

        public int MaxBytes { get; }

        public override async Task SendAsync(HttpExchange exchange, Func<Task> next)
        {
            await next().ConfigureAwait(false);
            var response = exchange.Response ?? throw new InvalidOperationException("No answer to read.");
            var submit = exchange.Kind == RequestKind.Submit;
            var status = (int)response.StatusCode;
            var uri = response.RequestMessage?.RequestUri;
            var what = response.RequestMessage?.Method + " " + uri;
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(exchange.Cancel))
            {
                limit.CancelAfter(exchange.AttemptTimeout(out var byDeadline));
                try
                {
                    exchange.Body = await ReadAsync(response, uri, limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!exchange.Cancel.IsCancellationRequested && byDeadline)
                {
                    throw submit
                        ? SubmissionOutcome.NoAnswerBeforeDeadline(what, e)
                        : TimeLimit.Passed($"The answer from {uri} did not arrive whole before the time limit passed.", e);
                }
                catch (OperationCanceledException e) when (!exchange.Cancel.IsCancellationRequested)
                {
                    throw submit
                        ? SubmissionOutcome.AnswerTimedOut(uri, exchange.Timeout, e)
                        : new SoraNetworkException("RequestTimeout", SoraErrorKind.Timeout, $"The answer from {uri} did not arrive whole within {exchange.Timeout.TotalSeconds:0.#} s.", e);
                }
                catch (Exception e) when (e is HttpRequestException || e is IOException)
                {
                    // A submission whose answer broke off was received by the provider: it may have been accepted.
                    throw submit
                        ? SubmissionOutcome.AnswerBrokeOff(what, e)
                        : new SoraNetworkException("NetworkError", SoraErrorKind.Network, $"The connection broke while reading the answer from {uri}: {e.Message}", e);
                }
                catch (SoraProtocolException e) when (submit && status >= 200 && status <= 299)
                {
                    throw SubmissionOutcome.UnreadableSuccess(e);
                }
            }
        }

        private async Task<byte[]> ReadAsync(HttpResponseMessage response, Uri? uri, CancellationToken cancel)
        {
            if (response.Content == null) return new byte[0];
            var declared = response.Content.Headers.ContentLength;
            if (declared > MaxBytes) throw TooBig(uri, declared.Value, null);
            using (var stream = await Compat.ReadAsStreamAsync(response.Content, cancel).ConfigureAwait(false))
            using (var buffer = new MemoryStream())
            {
                var chunk = new byte[81920];
                while (true)
                {
                    var n = await stream.ReadAsync(chunk, 0, chunk.Length, cancel).ConfigureAwait(false);
                    if (n == 0) break;
                    if (buffer.Length + n > MaxBytes)
                    {
                        buffer.Write(chunk, 0, (int)(MaxBytes - buffer.Length));
                        throw TooBig(uri, null, buffer);
                    }
                    buffer.Write(chunk, 0, n);
                }
                return buffer.ToArray();
            }
        }

        private SoraProtocolException TooBig(Uri? uri, long? declared, MemoryStream? head)
        {
            var start = head == null ? null : Redactor.Redact(System.Text.Encoding.UTF8.GetString(head.GetBuffer(), 0, (int)Math.Min(head.Length, 2048)));
            return new SoraProtocolException(
                $"The answer from {uri} is {(declared.HasValue ? declared.Value.ToString("N0", CultureInfo.InvariantCulture) + " bytes" : "longer than that")}, over the {MaxBytes / 1048576} MiB SoraPS reads from an API answer; it was not read. " +
                "A provider's JSON answer is never that big: the profile's BaseUri may point at the wrong server.", start);
        }
    }
}
