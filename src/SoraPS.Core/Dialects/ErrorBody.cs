using System;
using System.Linq;
using System.Text;
using System.Text.Json;
using SoraPS.Core.Http;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Dialects
{
    /// <summary>
    /// What an error answer says, read from the common shapes: <c>{"error":{message,code,type,param,fallback_suggestion}}</c>,
    /// <c>{"error":"text"}</c>, or the same names (and <c>msg</c>, <c>detail</c>) at the top level. A dialect whose provider
    /// says more (Azure's inner_error) fills <see cref="InnerCode"/> and <see cref="RevisedPrompt"/> from <see cref="Root"/>.
    /// </summary>
    public sealed class ErrorBody
    {
        public string? Message { get; set; }
        public string? Code { get; set; }
        public string? Type { get; set; }
        public string? Param { get; set; }
        public string? Suggestion { get; set; }
        /// <summary>An upstream error's code (Azure's inner_error.code).</summary>
        public string? InnerCode { get; set; }
        public string? RevisedPrompt { get; set; }
        /// <summary>The kind when the dialect knows better than the code, type and status (null: read from them).</summary>
        public SoraErrorKind? Kind { get; set; }

        private ErrorBody() { }

        /// <summary>Reads the common shape; <paramref name="more"/> sees the top-level object and the error object (null when absent) to read a dialect's own fields.</summary>
        public static ErrorBody Read(string? body, Action<ErrorBody, JsonElement, JsonElement?>? more = null)
        {
            var e = new ErrorBody();
            using (var doc = Json.TryParse(body))
            {
                if (doc == null || doc.RootElement.ValueKind != JsonValueKind.Object) return e;
                var root = doc.RootElement;
                var err = root.Prop("error");
                if (err?.ValueKind == JsonValueKind.Object)
                {
                    e.Message = err.Value.Str("message");
                    e.Code = err.Value.Str("code");
                    e.Type = err.Value.Str("type");
                    e.Param = err.Value.Str("param");
                    e.Suggestion = err.Value.Str("fallback_suggestion");
                }
                else if (err?.ValueKind == JsonValueKind.String)
                {
                    e.Message = err.Value.GetString();
                }
                e.Message = e.Message ?? root.Str("message") ?? root.Str("msg") ?? root.Str("detail");
                e.Code = e.Code ?? root.Str("code");
                e.Type = e.Type ?? root.Str("type");
                e.Param = e.Param ?? root.Str("param");
                more?.Invoke(e, root, err?.ValueKind == JsonValueKind.Object ? err : null);
            }
            return e;
        }

        /// <summary>The exception scripts catch: kind, the provider's words (redacted) and the retry hint of the answer.</summary>
        public SoraApiException ToException(string dialect, ProviderResponse response)
        {
            var kind = Kind ?? KindOf(response.StatusCode, Code, Type);
            var text = new StringBuilder();
            text.Append(dialect).Append(" provider answered ").Append(response.StatusCode);
            if (!string.IsNullOrEmpty(Type) || !string.IsNullOrEmpty(Code))
                text.Append(" (").Append(string.Join(", ", new[] { Type, Code }.Where(s => !string.IsNullOrEmpty(s)).Distinct())).Append(')');
            text.Append(": ").Append(string.IsNullOrEmpty(Message) ? SoraDialect.Truncate(response.Body, 300) : Message);
            if (!string.IsNullOrEmpty(Param)) text.Append(" [parameter: ").Append(Param).Append(']');
            if (!string.IsNullOrEmpty(InnerCode)) text.Append(" [").Append(InnerCode).Append(']');
            if (!string.IsNullOrEmpty(RevisedPrompt)) text.Append(" Revised prompt: ").Append(RevisedPrompt);
            if (!string.IsNullOrEmpty(Suggestion)) text.Append(" Suggestion: ").Append(Suggestion);
            var ex = new SoraApiException(kind, response.StatusCode, Code ?? Type, Redactor.Redact(text.ToString()), Redactor.Redact(response.Body));
            ex.RetryAfter = RetryPolicy.ParseRetryHint(response.Header, DateTimeOffset.UtcNow);
            ex.Param = Param;
            ex.ErrorType = Type;
            ex.InnerCode = InnerCode;
            ex.RevisedPrompt = RevisedPrompt == null ? null : Redactor.Redact(RevisedPrompt);
            return ex;
        }

        /// <summary>
        /// The kind of an error answer: the provider's code, then its type word, then the HTTP status.
        /// 401 is always authentication and 402 quota; 429 is a rate limit unless the code says quota.
        /// </summary>
        internal static SoraErrorKind KindOf(int status, string? code, string? type)
        {
            var kind = ErrorIds.KindFromCode(code);
            if (kind == SoraErrorKind.Unknown) kind = ErrorIds.KindFromCode(type);
            if (kind == SoraErrorKind.Unknown) kind = ErrorIds.KindFromStatus(status);
            if (status == 401) return SoraErrorKind.Authentication;
            if (status == 402) return SoraErrorKind.Quota;
            if (status == 429 && kind != SoraErrorKind.Quota) return SoraErrorKind.RateLimit;
            return kind;
        }
    }

    /// <summary>Azure OpenAI's error bodies (AzureJobs, AzureOpenAI): the content filter's verdict under <c>inner_error</c>.</summary>
    internal static class AzureErrors
    {
        /// <summary>Azure's inner_error.code for a prompt or image its content filter refused.</summary>
        public const string ResponsibleAIPolicyViolation = "ResponsibleAIPolicyViolation";

        /// <summary>The common shape plus inner_error (in the error object or at the top): its code and revised prompt; the policy code is ContentModeration.</summary>
        public static SoraApiException Parse(string dialect, ProviderResponse response) =>
            ErrorBody.Read(response.Body, (e, root, err) =>
            {
                var inner = err?.Prop("inner_error");
                inner = inner?.ValueKind == JsonValueKind.Object ? inner : root.Prop("inner_error");
                if (inner?.ValueKind != JsonValueKind.Object) return;
                e.InnerCode = inner.Value.Str("code");
                e.RevisedPrompt = inner.Value.Str("revised_prompt");
                if (string.Equals(e.InnerCode, ResponsibleAIPolicyViolation, StringComparison.OrdinalIgnoreCase)) e.Kind = SoraErrorKind.ContentModeration;
            }).ToException(dialect, response);
    }
}
