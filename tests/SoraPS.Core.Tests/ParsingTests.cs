using System;
using System.Collections.Generic;
using System.Globalization;
using SoraPS.Core.Dialects;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Provider JSON maps to the one task type; odd answers are clear errors that keep the body.</summary>
    public sealed class ParsingTests
    {
        private static readonly SoraProfile OpenAIProfile = new SoraProfile { Name = "o", Dialect = "OpenAI", BaseUri = new Uri("https://relay.example.com") };
        private static readonly SoraProfile UnifiedProfile = new SoraProfile { Name = "u", Dialect = "UnifiedTask", BaseUri = new Uri("https://relay.example.com") };

        private static ProviderResponse R(string body, Dictionary<string, string> headers = null) =>
            new ProviderResponse(200, body, headers == null ? null : new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase), null);

        [Theory]
        [InlineData("queued", SoraTaskStatus.Queued, false)]
        [InlineData("in_progress", SoraTaskStatus.Running, false)]
        [InlineData("completed", SoraTaskStatus.Succeeded, true)]
        [InlineData("failed", SoraTaskStatus.Failed, true)]
        [InlineData("cancelled", SoraTaskStatus.Cancelled, true)]
        [InlineData("warming_up", SoraTaskStatus.Unknown, false)]
        public void OpenAI_status_words(string word, SoraTaskStatus status, bool terminal)
        {
            var t = new OpenAIDialect().ParseTask(R($"{{\"id\":\"video_1\",\"object\":\"video\",\"status\":\"{word}\",\"progress\":40}}"), OpenAIProfile);
            Assert.Equal(status, t.Status);
            Assert.Equal(word, t.ProviderStatus);
            // An unheard-of word keeps the task pending (polled on), never ends it.
            Assert.Equal(terminal, t.IsTerminal);
        }

        [Fact]
        public void OpenAI_video_object_maps_every_field_and_the_poll_hint()
        {
            var json = "{\"id\":\"video_68d7\",\"object\":\"video\",\"model\":\"sora-2-pro\",\"status\":\"completed\",\"progress\":100," +
                       "\"created_at\":1758941485,\"completed_at\":1758941600,\"expires_at\":1759027999,\"prompt\":\"a fox\",\"size\":\"1792x1024\",\"seconds\":\"12\",\"error\":null}";
            var t = new OpenAIDialect().ParseTask(R(json, new Dictionary<string, string> { ["openai-poll-after-ms"] = "2500" }), OpenAIProfile);
            Assert.Equal(SoraTaskStatus.Succeeded, t.Status);
            Assert.Equal(12, t.Duration);
            Assert.Equal("16:9", t.AspectRatio);
            Assert.Equal("1024p", t.Resolution);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1759027999), t.ExpiresAt);
            Assert.Equal("https://relay.example.com/v1/videos/video_68d7/content", t.VideoUri.AbsoluteUri);
            Assert.Equal(TimeSpan.FromMilliseconds(2500), t.PollAfter);
            Assert.Equal(json, t.Raw);
            Assert.Equal("o", t.Profile);
            Assert.Equal("OpenAI", t.Dialect);
        }

        [Theory]
        [InlineData("moderation_blocked", SoraErrorKind.ContentModeration, "ContentModerationFailed")]
        [InlineData("content_policy_violation", SoraErrorKind.ContentModeration, "ContentModerationFailed")]
        [InlineData("quota_exceeded", SoraErrorKind.Quota, "QuotaExceeded")]
        [InlineData("generation_timeout", SoraErrorKind.Timeout, "GenerationTimeout")]
        [InlineData("resource_not_found", SoraErrorKind.NotFound, "TaskNotFound")]
        public void Failure_codes_become_kinds(string code, SoraErrorKind kind, string errorId)
        {
            var t = new UnifiedTaskDialect().ParseTask(R($"{{\"id\":\"task-1\",\"status\":\"failed\",\"progress\":90,\"error\":{{\"code\":\"{code}\",\"message\":\"no\"}}}}"), UnifiedProfile);
            Assert.Equal(SoraTaskStatus.Failed, t.Status);
            Assert.Equal(kind, t.Error.Kind);
            Assert.Equal(errorId, new SoraTaskFailedException(t).ErrorId);
            Assert.Equal(90, t.Progress);
        }

        [Theory]
        [InlineData("\"50%\"", 50)]
        [InlineData("50", 50)]
        [InlineData("0.93", 93)]
        [InlineData("\"0.5\"", 50)]
        [InlineData("100", 100)]
        [InlineData("250", 100)]
        [InlineData("-3", 0)]
        [InlineData("\"soon\"", 0)]
        [InlineData("null", 0)]
        public void Progress_in_every_shape_relays_send(string raw, int expected)
        {
            var t = new UnifiedTaskDialect().ParseTask(R($"{{\"id\":\"task-1\",\"status\":\"processing\",\"progress\":{raw}}}"), UnifiedProfile);
            Assert.Equal(expected, t.Progress);
        }

        [Fact]
        public void Unified_task_with_results_is_succeeded_with_a_24_hour_link()
        {
            var json = "{\"created\":1757169743,\"id\":\"task-unified-1757169743-7cvnl5zw\",\"model\":\"sora-2\",\"object\":\"video.generation.task\",\"progress\":100," +
                       "\"status\":\"completed\",\"task_info\":{\"can_cancel\":false,\"estimated_time\":300,\"video_duration\":10},\"type\":\"video\"," +
                       "\"usage\":{\"billing_rule\":\"per_call\",\"credits_reserved\":7,\"user_group\":\"default\"},\"results\":[\"https://cdn.example.com/v.mp4\"],\"completed_at\":1757170000}";
            var t = new UnifiedTaskDialect().ParseTask(R(json), UnifiedProfile);
            Assert.Equal(SoraTaskStatus.Succeeded, t.Status);
            Assert.Equal("https://cdn.example.com/v.mp4", t.VideoUri.AbsoluteUri);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1757170000).AddHours(24), t.ExpiresAt);
            Assert.Equal(TimeSpan.FromSeconds(300), t.EstimatedTotal);
            Assert.Equal(10, t.Duration);
        }

        [Theory]
        [InlineData("not json at all")]
        [InlineData("[1,2,3]")]
        [InlineData("{\"status\":\"processing\"}")]
        [InlineData("{\"id\":\"\",\"status\":\"processing\"}")]
        [InlineData("")]
        public void Malformed_answers_are_protocol_errors_that_keep_the_body(string body)
        {
            var e = Assert.Throws<SoraProtocolException>(() => new UnifiedTaskDialect().ParseTask(R(body), UnifiedProfile));
            Assert.Equal("UnexpectedResponse", e.ErrorId);
            Assert.Equal(body, e.RawBody);
            var e2 = Assert.Throws<SoraProtocolException>(() => new OpenAIDialect().ParseTask(R(body), OpenAIProfile));
            Assert.Equal(body, e2.RawBody);
        }

        [Fact]
        public void A_completed_task_without_a_link_is_a_clear_error()
        {
            var e = Assert.Throws<SoraProtocolException>(() => new UnifiedTaskDialect().ParseTask(R("{\"id\":\"t\",\"status\":\"completed\",\"results\":[]}"), UnifiedProfile));
            Assert.Contains("no video URL", e.Message);
        }

        [Theory]
        [InlineData(401, "{\"error\":{\"code\":401,\"message\":\"Invalid or expired token\",\"type\":\"authentication_error\"}}", SoraErrorKind.Authentication, "AuthenticationFailed")]
        [InlineData(402, "{\"error\":{\"code\":402,\"message\":\"Insufficient quota\",\"type\":\"insufficient_quota_error\"}}", SoraErrorKind.Quota, "QuotaExceeded")]
        [InlineData(403, "{\"error\":{\"code\":403,\"message\":\"Access denied for this model\",\"type\":\"permission_error\",\"param\":\"model\"}}", SoraErrorKind.Permission, "PermissionDenied")]
        [InlineData(404, "{\"error\":{\"code\":404,\"message\":\"Specified model not found\",\"type\":\"not_found_error\",\"param\":\"model\"}}", SoraErrorKind.NotFound, "TaskNotFound")]
        [InlineData(413, "{\"error\":{\"code\":413,\"message\":\"Image file too large\",\"type\":\"request_too_large_error\"}}", SoraErrorKind.InvalidParameter, "InvalidParameter")]
        [InlineData(429, "{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded\",\"type\":\"rate_limit_error\"}}", SoraErrorKind.RateLimit, "RateLimited")]
        [InlineData(429, "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}", SoraErrorKind.Quota, "QuotaExceeded")]
        [InlineData(400, "{\"error\":{\"message\":\"blocked\",\"type\":\"invalid_request_error\",\"code\":\"moderation_blocked\"}}", SoraErrorKind.ContentModeration, "ContentModerationFailed")]
        [InlineData(502, "{\"error\":{\"code\":502,\"message\":\"Upstream AI service unavailable\",\"type\":\"upstream_error\"}}", SoraErrorKind.Upstream, "ProviderUnavailable")]
        [InlineData(503, "<html>busy</html>", SoraErrorKind.Upstream, "ProviderUnavailable")]
        [InlineData(500, "", SoraErrorKind.Upstream, "ProviderUnavailable")]
        public void Error_bodies_become_kinds(int status, string body, SoraErrorKind kind, string errorId)
        {
            var e = new UnifiedTaskDialect().ParseError(new ProviderResponse(status, body, null, null));
            Assert.Equal(kind, e.Kind);
            Assert.Equal(errorId, e.ErrorId);
            Assert.Equal(status, e.StatusCode);
            Assert.Equal(body, e.RawBody);
            Assert.Contains(status.ToString(CultureInfo.InvariantCulture), e.Message);
        }

        [Fact]
        public void Error_messages_carry_parameter_and_suggestion()
        {
            var e = new UnifiedTaskDialect().ParseError(new ProviderResponse(400,
                "{\"error\":{\"code\":400,\"message\":\"Invalid duration parameter\",\"type\":\"invalid_request_error\",\"param\":\"duration\",\"fallback_suggestion\":\"use duration between 1-12 seconds\"}}", null, null));
            Assert.Contains("Invalid duration parameter", e.Message);
            Assert.Contains("[parameter: duration]", e.Message);
            Assert.Contains("use duration between 1-12 seconds", e.Message);
        }

        [Fact]
        public void Random_and_mutated_json_never_escapes_as_an_unexpected_exception()
        {
            var seeds = new[]
            {
                "{\"id\":\"video_1\",\"object\":\"video\",\"status\":\"completed\",\"progress\":100,\"created_at\":1758941485,\"expires_at\":1759027999,\"size\":\"1280x720\",\"seconds\":\"8\",\"error\":{\"code\":\"x\",\"message\":\"y\"}}",
                "{\"created\":1757169743,\"id\":\"task-1\",\"status\":\"completed\",\"progress\":\"100%\",\"task_info\":{\"estimated_time\":300},\"results\":[\"https://cdn.example.com/v.mp4\"]}",
            };
            var rng = new Random(1234);
            var dialects = new SoraDialect[] { new OpenAIDialect(), new UnifiedTaskDialect() };
            var profiles = new[] { OpenAIProfile, UnifiedProfile };
            var alphabet = "{}[]\":,0123456789.-eE truefalsnul%\\";
            for (var i = 0; i < 4000; i++)
            {
                var chars = seeds[i % 2].ToCharArray();
                var edits = 1 + rng.Next(6);
                for (var k = 0; k < edits; k++) chars[rng.Next(chars.Length)] = alphabet[rng.Next(alphabet.Length)];
                var body = new string(chars);
                for (var d = 0; d < dialects.Length; d++)
                {
                    try
                    {
                        var t = dialects[d].ParseTask(R(body), profiles[d]);
                        Assert.False(string.IsNullOrEmpty(t.Id));
                        Assert.InRange(t.Progress, 0, 100);
                    }
                    catch (SoraException)
                    {
                    }
                    try
                    {
                        dialects[d].ParseError(new ProviderResponse(400 + rng.Next(200), body, null, null));
                    }
                    catch (Exception e)
                    {
                        Assert.Fail("ParseError threw " + e);
                    }
                }
            }
        }
    }
}
