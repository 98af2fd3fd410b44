using System;

namespace SoraPS.Core.Tasks
{
    /// <summary>Why something failed, in the few kinds a script needs to tell apart.</summary>
    public enum SoraErrorKind
    {
        Unknown = 0,
        ContentModeration,
        Quota,
        Authentication,
        Permission,
        InvalidParameter,
        RateLimit,
        NotFound,
        Upstream,
        Timeout,
        Expired,
        Cancelled,
        UnexpectedResponse,
        Network,
        Configuration,
    }

    /// <summary>
    /// A failed task's reason: normalised kind, the provider's code and message, neutralised for display
    /// (the task's Raw keeps them as they came).
    /// </summary>
    public sealed class SoraTaskError
    {
        public SoraTaskError(SoraErrorKind kind, string? code, string? message)
        {
            Kind = kind;
            Code = DisplayText.Neutralise(code);
            Message = DisplayText.Neutralise(message);
        }

        public SoraErrorKind Kind { get; }
        public string? Code { get; }
        public string? Message { get; }

        /// <summary>The ErrorId SoraPS uses for this kind of failure.</summary>
        public string ErrorId => ErrorIds.For(Kind);

        public override string ToString() =>
            string.IsNullOrEmpty(Code) ? $"{Kind}: {Message}" : $"{Kind} ({Code}): {Message}";
    }

    /// <summary>The stable ErrorIds scripts can match on.</summary>
    public static class ErrorIds
    {
        public static string For(SoraErrorKind kind)
        {
            switch (kind)
            {
                case SoraErrorKind.ContentModeration: return "ContentModerationFailed";
                case SoraErrorKind.Quota: return "QuotaExceeded";
                case SoraErrorKind.Authentication: return "AuthenticationFailed";
                case SoraErrorKind.Permission: return "PermissionDenied";
                case SoraErrorKind.InvalidParameter: return "InvalidParameter";
                case SoraErrorKind.RateLimit: return "RateLimited";
                case SoraErrorKind.NotFound: return "TaskNotFound";
                case SoraErrorKind.Upstream: return "ProviderUnavailable";
                case SoraErrorKind.Timeout: return "GenerationTimeout";
                case SoraErrorKind.Expired: return "VideoExpired";
                case SoraErrorKind.Cancelled: return "TaskCancelled";
                case SoraErrorKind.UnexpectedResponse: return "UnexpectedResponse";
                case SoraErrorKind.Network: return "NetworkError";
                case SoraErrorKind.Configuration: return "ConfigurationError";
                default: return "TaskFailed";
            }
        }

        /// <summary>
        /// The ErrorId of an error answer: a 504 is a gateway that gave up waiting and a 408 a request that
        /// took too long, not a generation that timed out.
        /// </summary>
        public static string For(SoraErrorKind kind, int status)
        {
            if (kind == SoraErrorKind.Timeout && status == 504) return "GatewayTimeout";
            if (kind == SoraErrorKind.Timeout && status == 408) return "RequestTimeout";
            return For(kind);
        }

        /// <summary>Maps a provider's error code or type word to a kind.</summary>
        /// <summary>A free-text failure reason: the kind read from its words.</summary>
        public static SoraErrorKind KindFromReason(string? reason)
        {
            if (reason == null || reason.Length == 0) return SoraErrorKind.Unknown;
            var r = reason.ToLowerInvariant();
            if (r.Contains("moderation") || r.Contains("policy") || r.Contains("violat") || r.Contains("real person") || r.Contains("celebrit") || r.Contains("sensitive") || r.Contains("review"))
                return SoraErrorKind.ContentModeration;
            return KindFromCode(r.Replace(' ', '_'));
        }

        public static SoraErrorKind KindFromCode(string? code)
        {
            if (code == null || code.Length == 0) return SoraErrorKind.Unknown;
            var c = code.ToLowerInvariant();
            if (c.Contains("moderation") || c.Contains("content_policy") || c.Contains("safety") || c.Contains("policy_violation") || c.Contains("sensitive"))
                return SoraErrorKind.ContentModeration;
            if (c.Contains("quota") || c.Contains("billing") || c.Contains("insufficient") || c.Contains("balance") || c.Contains("credit"))
                return SoraErrorKind.Quota;
            if (c.Contains("auth") || c.Contains("api_key") || c.Contains("invalid_key") || c.Contains("unauthorized"))
                return SoraErrorKind.Authentication;
            if (c.Contains("permission") || c.Contains("forbidden")) return SoraErrorKind.Permission;
            if (c.Contains("rate_limit") || c.Contains("too_many")) return SoraErrorKind.RateLimit;
            if (c.Contains("timeout") || c.Contains("timed_out")) return SoraErrorKind.Timeout;
            if (c.Contains("not_found") || c.Contains("notfound") || c.Contains("not_exist")) return SoraErrorKind.NotFound;
            if (c.Contains("expired")) return SoraErrorKind.Expired;
            if (c.Contains("cancel")) return SoraErrorKind.Cancelled;
            if (c.Contains("upstream") || c.Contains("unavailable") || c.Contains("server_error") || c.Contains("overloaded"))
                return SoraErrorKind.Upstream;
            if (c.Contains("invalid") || c.Contains("bad_request") || c.Contains("parameter") || c.Contains("too_large"))
                return SoraErrorKind.InvalidParameter;
            return SoraErrorKind.Unknown;
        }

        /// <summary>Maps an HTTP status to a kind when the body says nothing better.</summary>
        public static SoraErrorKind KindFromStatus(int status)
        {
            switch (status)
            {
                case 400: case 413: case 415: case 422: return SoraErrorKind.InvalidParameter;
                case 401: return SoraErrorKind.Authentication;
                case 402: return SoraErrorKind.Quota;
                case 403: return SoraErrorKind.Permission;
                case 404: return SoraErrorKind.NotFound;
                case 408: case 504: return SoraErrorKind.Timeout;
                case 410: return SoraErrorKind.Expired;
                case 429: return SoraErrorKind.RateLimit;
                default: return status >= 500 ? SoraErrorKind.Upstream : SoraErrorKind.Unknown;
            }
        }
    }
}
