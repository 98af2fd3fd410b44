using System;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Http
{
    /// <summary>
    /// The one place that words the errors after which a paid submission may or may not have been accepted
    /// (ErrorId SubmissionOutcomeUnknown): each says what happened and that the submission was not sent again.
    /// </summary>
    public static class SubmissionOutcome
    {
        public const string UnknownId = "SubmissionOutcomeUnknown";
        /// <summary>The sentence every such error ends with (before any advice).</summary>
        public const string NotSentAgain = "The provider may or may not have accepted the task; it was NOT sent again.";

        /// <summary>The request got no answer within its time limit.</summary>
        public static SoraNetworkException NoAnswer(string what, TimeSpan limit, Exception inner) =>
            new SoraNetworkException(UnknownId, SoraErrorKind.Timeout,
                $"{what} got no answer within {limit.TotalSeconds:0.#} s. {NotSentAgain} Check the provider's task list before resubmitting.", inner);

        /// <summary>The command's time limit passed while the request was out, unanswered.</summary>
        public static SoraNetworkException NoAnswerBeforeDeadline(string what, Exception inner) =>
            new SoraNetworkException(UnknownId, SoraErrorKind.Timeout,
                $"{what} got no answer before the time limit passed. {NotSentAgain} Check the provider's task list before resubmitting.", inner);

        /// <summary>The connection failed after the request may have reached the provider.</summary>
        public static SoraNetworkException BrokeAfterSending(string what, Exception inner) =>
            new SoraNetworkException(UnknownId, SoraErrorKind.Network, $"{what} failed after it was sent ({inner.Message}). {NotSentAgain}", inner);

        /// <summary>The answer's body did not arrive whole within the time limit.</summary>
        public static SoraNetworkException AnswerTimedOut(Uri? uri, TimeSpan limit, Exception inner) =>
            new SoraNetworkException(UnknownId, SoraErrorKind.Timeout, $"The answer from {uri} did not arrive whole within {limit.TotalSeconds:0.#} s. {NotSentAgain}", inner);

        /// <summary>The answer's body broke off.</summary>
        public static SoraNetworkException AnswerBrokeOff(string what, Exception inner) =>
            new SoraNetworkException(UnknownId, SoraErrorKind.Network, $"The answer to {what} broke off ({inner.Message}). {NotSentAgain}", inner);

        /// <summary>A 2xx answer that cannot be read (too big): the provider may have accepted the task.</summary>
        public static SoraNetworkException UnreadableSuccess(SoraProtocolException inner) =>
            new SoraNetworkException(UnknownId, SoraErrorKind.UnexpectedResponse, inner.Message + " The provider may have accepted the task; it was NOT sent again.", inner);

        /// <summary>A 502, 503 or 504, which may come from a gateway whose upstream accepted the task.</summary>
        public static SoraNetworkException Gateway(int status, Uri? uri, SoraException error) =>
            new SoraNetworkException(UnknownId, error.Kind,
                $"The submission was answered {status} by {uri?.Host ?? "the provider"}, which may be a gateway whose upstream accepted it ({error.Message}). It was NOT sent again.", error);

        /// <summary>The reason recorded when the command is stopped while the submission may be out.</summary>
        public const string Stopped = "The command was stopped before the provider answered the submission.";
    }
}
