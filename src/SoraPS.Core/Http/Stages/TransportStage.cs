using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// Sends the request and waits for the answer's headers within the exchange's time limit. What goes wrong on
    /// the way becomes a <see cref="SoraNetworkException"/>: RequestTimeout or NetworkError, or for a submission
    /// that may have reached the provider SubmissionOutcomeUnknown (a refused connection never reached it).
    /// </summary>
    public sealed class TransportStage : HttpStage
    {
        private readonly HttpMessageInvoker _client;

        public TransportStage(HttpMessageInvoker client)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
        }

        public override async Task SendAsync(HttpExchange exchange, Func<Task> next)
        {
            var request = exchange.Request;
            var what = exchange.What;
            var submit = exchange.Kind == RequestKind.Submit;
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(exchange.Cancel))
            {
                limit.CancelAfter(exchange.AttemptTimeout(out var byDeadline));
                try
                {
                    exchange.Response = await Send(request, limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (exchange.Cancel.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException e) when (byDeadline)
                {
                    throw submit
                        ? SubmissionOutcome.NoAnswerBeforeDeadline(what, e)
                        : TimeLimit.Passed($"{what} got no answer before the time limit passed.", e);
                }
                catch (OperationCanceledException e)
                {
                    throw submit
                        ? SubmissionOutcome.NoAnswer(what, exchange.Timeout, e)
                        : new SoraNetworkException("RequestTimeout", SoraErrorKind.Timeout, $"{what} got no answer within {exchange.Timeout.TotalSeconds:0.#} s.", e);
                }
                catch (HttpRequestException e)
                {
                    throw submit && !IsConnectionRefused(e)
                        ? SubmissionOutcome.BrokeAfterSending(what, e)
                        : new SoraNetworkException("NetworkError", SoraErrorKind.Network, $"{what} failed: {e.Message}", e);
                }
                catch (IOException e)
                {
                    throw submit
                        ? SubmissionOutcome.BrokeAfterSending(what, e)
                        : new SoraNetworkException("NetworkError", SoraErrorKind.Network, $"{what} failed: {e.Message}", e);
                }
            }
        }

        private Task<HttpResponseMessage> Send(HttpRequestMessage request, CancellationToken cancel) =>
            _client is HttpClient client
                ? client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel)
                : _client.SendAsync(request, cancel);

        internal static bool IsConnectionRefused(Exception e)
        {
            for (var x = e; x != null; x = x.InnerException)
                if (x is SocketException se && se.SocketErrorCode == SocketError.ConnectionRefused) return true;
            return false;
        }
    }
}
