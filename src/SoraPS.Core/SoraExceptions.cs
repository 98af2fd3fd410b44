using System;
using SoraPS.Core.Tasks;

namespace SoraPS.Core
{
    /// <summary>
    /// Base of every error SoraPS raises on purpose. ErrorId is stable and scriptable. The message
    /// never holds a key and cannot drive the terminal: it is redacted and neutralised here, whoever builds it.
    /// </summary>
    public class SoraException : Exception
    {
        public SoraException(string errorId, SoraErrorKind kind, string message, Exception? inner = null)
            : base(DisplayText.Neutralise(Http.Redactor.Redact(message)), inner)
        {
            ErrorId = errorId;
            Kind = kind;
        }

        public string ErrorId { get; }
        public SoraErrorKind Kind { get; }
        /// <summary>What the error is about (a task, a profile name, a parameter value).</summary>
        public object? Target { get; set; }
    }

    /// <summary>Bad input refused before any request is sent.</summary>
    public sealed class SoraValidationException : SoraException
    {
        public SoraValidationException(string errorId, string parameterName, string message)
            : base(errorId, SoraErrorKind.InvalidParameter, message)
        {
            ParameterName = parameterName;
        }

        public string ParameterName { get; }
    }

    /// <summary>A profile, dialect or secret that cannot be used as configured.</summary>
    public sealed class SoraConfigurationException : SoraException
    {
        public SoraConfigurationException(string errorId, string message, Exception? inner = null)
            : base(errorId, SoraErrorKind.Configuration, message, inner)
        {
        }
    }

    /// <summary>The provider answered with an error status.</summary>
    public sealed class SoraApiException : SoraException
    {
        public SoraApiException(SoraErrorKind kind, int statusCode, string? providerCode, string message, string? rawBody)
            : this(ErrorIds.For(kind, statusCode), kind, statusCode, providerCode, message, rawBody)
        {
        }

        /// <summary>An error answer with an ErrorId of its own (for example ModelRetired).</summary>
        public SoraApiException(string errorId, SoraErrorKind kind, int statusCode, string? providerCode, string message, string? rawBody)
            : base(errorId, kind, message)
        {
            StatusCode = statusCode;
            ProviderCode = providerCode;
            RawBody = Http.Redactor.Redact(rawBody);
        }

        /// <summary>The model the provider names in place of a retired one, if it named one.</summary>
        public string? Replacement { get; internal set; }

        public int StatusCode { get; }
        public string? ProviderCode { get; }
        public string? RawBody { get; }
        /// <summary>How long the provider asked us to wait before trying again, if it said.</summary>
        public TimeSpan? RetryAfter { get; internal set; }
        /// <summary>The request parameter the provider named (error.param), if any.</summary>
        public string? Param { get; internal set; }
        /// <summary>The provider's error type word (error.type), if any.</summary>
        public string? ErrorType { get; internal set; }
        /// <summary>The code of an upstream error (Azure's inner_error.code, e.g. ResponsibleAIPolicyViolation), if any.</summary>
        public string? InnerCode { get; internal set; }
        /// <summary>The prompt as the provider revised it (Azure's inner_error.revised_prompt), if it said.</summary>
        public string? RevisedPrompt { get; internal set; }
    }

    /// <summary>The provider answered something SoraPS cannot read; the raw body is kept.</summary>
    public sealed class SoraProtocolException : SoraException
    {
        public SoraProtocolException(string message, string? rawBody, Exception? inner = null)
            : base("UnexpectedResponse", SoraErrorKind.UnexpectedResponse, message, inner)
        {
            RawBody = Http.Redactor.Redact(rawBody);
        }

        public string? RawBody { get; }
    }

    /// <summary>A task ended without a video (failed, cancelled, expired).</summary>
    public sealed class SoraTaskFailedException : SoraException
    {
        public SoraTaskFailedException(SoraTask task)
            : base(task.Error?.ErrorId ?? ErrorIdForStatus(task.Status), task.Error?.Kind ?? KindForStatus(task.Status), Describe(task))
        {
            Task = task;
            Target = task;
        }

        public SoraTask Task { get; }

        private static string ErrorIdForStatus(SoraTaskStatus s) => ErrorIds.For(KindForStatus(s));

        private static SoraErrorKind KindForStatus(SoraTaskStatus s) =>
            s == SoraTaskStatus.Cancelled ? SoraErrorKind.Cancelled :
            s == SoraTaskStatus.Expired ? SoraErrorKind.Expired : SoraErrorKind.Unknown;

        private static string Describe(SoraTask t)
        {
            var reason = t.Error == null ? "the provider gave no reason" : t.Error.ToString().TrimEnd('.', ' ');
            return $"Task {t.Id} ({t.Dialect}, profile '{t.Profile}') ended {t.Status} at {t.Progress}%: {reason}.";
        }
    }

    /// <summary>A network failure or time-out talking to the provider.</summary>
    public sealed class SoraNetworkException : SoraException
    {
        public SoraNetworkException(string errorId, SoraErrorKind kind, string message, Exception? inner = null)
            : base(errorId, kind, message, inner)
        {
        }
    }
}
