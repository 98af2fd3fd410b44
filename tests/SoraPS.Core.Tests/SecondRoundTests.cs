using System;
using System.Collections.Generic;
using System.IO;
using SoraPS.Core.Dialects;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>Absurd hints, escaped secrets, terminal sequences and a relative config folder.</summary>
    public sealed class SecondRoundTests
    {
        private static Func<string, string> H(string name, string value) => n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase) ? value : null;
        private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        [Theory]
        [InlineData("retry-after", "1e12")]
        [InlineData("retry-after", "1e300")]
        [InlineData("retry-after-ms", "1e300")]
        [InlineData("retry-after-ms", "9223372036854775807")]
        public void An_absurd_retry_hint_is_bounded_not_fatal(string header, string value)
        {
            var hint = RetryPolicy.ParseRetryHint(H(header, value), Now);
            Assert.Equal(Hints.MaxRetryHint, hint);
        }

        [Theory]
        [InlineData("retry-after", "Infinity")]
        [InlineData("retry-after", "NaN")]
        [InlineData("retry-after", "-5")]
        [InlineData("retry-after-ms", "Infinity")]
        [InlineData("retry-after-ms", "-Infinity")]
        [InlineData("retry-after-ms", "NaN")]
        public void An_unreadable_retry_hint_is_ignored(string header, string value) =>
            Assert.Null(RetryPolicy.ParseRetryHint(H(header, value), Now));

        [Theory]
        [InlineData("86400000", 60_000)]
        [InlineData("1e300", 60_000)]
        [InlineData("2500", 2_500)]
        public void A_poll_hint_is_bounded_by_its_ceiling(string value, double expectedMs)
        {
            var profile = new SoraProfile { Name = "o", Dialect = "OpenAI", BaseUri = new Uri("https://relay.example.com") };
            var answer = new ProviderResponse(200, "{\"id\":\"video_1\",\"object\":\"video\",\"status\":\"queued\",\"progress\":0}",
                new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["openai-poll-after-ms"] = value }, null);
            var task = new OpenAIDialect().ParseTask(answer, profile);
            Assert.Equal("video_1", task.Id);
            Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), task.PollAfter);
        }

        [Theory]
        [InlineData("Infinity")]
        [InlineData("NaN")]
        [InlineData("-1")]
        [InlineData("soon")]
        public void An_unreadable_poll_hint_keeps_the_answer(string value)
        {
            var profile = new SoraProfile { Name = "o", Dialect = "OpenAI", BaseUri = new Uri("https://relay.example.com") };
            var answer = new ProviderResponse(200, "{\"id\":\"video_2\",\"object\":\"video\",\"status\":\"in_progress\",\"progress\":30}",
                new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["openai-poll-after-ms"] = value }, null);
            var task = new OpenAIDialect().ParseTask(answer, profile);
            Assert.Equal("video_2", task.Id);
            Assert.Equal(30, task.Progress);
            Assert.Null(task.PollAfter);
        }

        [Fact]
        public void A_key_is_redacted_in_its_escaped_and_encoded_spellings()
        {
            const string key = "sk/relay+Key=9f8e7d6c5b4a";
            _ = new ApiCredential(key, "test");
            var echoed = "{\"echo\":\"Bearer sk\\/relay+Key=9f8e7d6c5b4a\",\"q\":\"k=sk%2Frelay%2BKey%3D9f8e7d6c5b4a\",\"l\":\"sk%2frelay%2bKey%3d9f8e7d6c5b4a\",\"u\":\"sk\\u002Frelay\\u002BKey\\u003D9f8e7d6c5b4a\"}";
            var text = Redactor.Redact(echoed);
            Assert.DoesNotContain("9f8e7d6c5b4a", text);
            Assert.Contains("\"q\":\"k=***\"", text);
        }

        [Theory]
        [InlineData("https://alice:s3cretpass@images.example.com/a.png", "https://***@images.example.com/a.png")]
        [InlineData("fetching http://bob@host.example/x and ftp://u:p@h/y", "fetching http://***@host.example/x and ftp://***@h/y")]
        public void Url_userinfo_is_redacted(string text, string expected) => Assert.Equal(expected, Redactor.Redact(text));

        [Theory]
        [InlineData("\u001b]0;pwned\u0007title", "␛]0;pwned␇title")]
        [InlineData("\u001b[2Jclear", "␛[2Jclear")]
        [InlineData("\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\", "␛]8;;https://evil.example␛\\link␛]8;;␛\\")]
        [InlineData("line one\nline two\ttab", "line one\nline two\ttab")]
        [InlineData("\u009b31mred", "\ufffd31mred")]
        public void Provider_text_cannot_drive_the_terminal(string text, string shown) => Assert.Equal(shown, DisplayText.Neutralise(text));

        [Fact]
        public void A_provider_failure_reason_is_shown_neutralised_and_kept_raw()
        {
            var profile = new SoraProfile { Name = "o", Dialect = "OpenAI", BaseUri = new Uri("https://relay.example.com") };
            var body = "{\"id\":\"video_\\u001b[2J3\",\"object\":\"video\",\"status\":\"failed\",\"error\":{\"code\":\"x\",\"message\":\"bad \\u001b]0;owned\\u0007 thing\"}}";
            var task = new OpenAIDialect().ParseTask(new ProviderResponse(200, body, null, null), profile);
            Assert.DoesNotContain('\u001b', task.Error.Message);
            Assert.DoesNotContain('\u0007', task.Error.Message);
            Assert.DoesNotContain('\u001b', task.ToString());
            Assert.Contains("\\u001b", task.Raw);
        }

        [Theory]
        [InlineData("relative/config")]
        [InlineData("./cfg")]
        [InlineData("~/cfg")]
        public void A_relative_config_home_is_refused(string value)
        {
            var ex = Assert.Throws<SoraConfigurationException>(() => ConfigPaths.Resolve(n => n == ConfigPaths.ConfigHomeVariable ? value : null, false));
            Assert.Equal("ConfigHomeNotAbsolute", ex.ErrorId);
            Assert.Contains(value, ex.Message);
        }

        [Fact]
        public void An_absolute_config_home_is_used() =>
            Assert.Equal(Path.GetFullPath("/tmp/soraps-abs"), ConfigPaths.Resolve(n => n == ConfigPaths.ConfigHomeVariable ? "/tmp/soraps-abs" : null, false));
    }
}

namespace SoraPS.Core.Tests
{
    using System.Text.RegularExpressions;
    using System.Threading.Tasks;
    using SoraPS.Emulator;

    /// <summary>A status answer about another task than the one asked for is refused, on every dialect that can be asked (OneRouter answers its submission with the video and has no query).</summary>
    public sealed class AnswerIdentityTests : IAsyncLifetime
    {
        private SoraEmulator _emu;

        public async Task InitializeAsync() => _emu = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromMilliseconds(500) });
        public async Task DisposeAsync() => await _emu.DisposeAsync();

        [Theory]
        [InlineData("OpenAI")]
        [InlineData("UnifiedTask")]
        [InlineData("V2Task")]
        [InlineData("SoraWeb")]
        [InlineData("AzureJobs")]
        [InlineData("AzureOpenAI")]
        public async Task An_answer_about_another_task_is_refused(string dialect)
        {
            var client = Testing.Client(_emu, dialect);
            var asked = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "asked" }), Testing.Timeout());
            var other = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "other" }), Testing.Timeout());
            Assert.Equal(asked.Id, (await client.GetAsync(asked.Id, Testing.Timeout())).Id);
            _emu.State.AddFault(new Fault { Method = "GET", Path = asked.Id, Kind = FaultKind.Replace, Pattern = Regex.Escape(asked.Id), Word = other.Id });
            var e = await Assert.ThrowsAsync<SoraProtocolException>(() => client.GetAsync(asked.Id, Testing.Timeout()));
            Assert.Equal("UnexpectedResponse", e.ErrorId);
            Assert.Contains(asked.Id, e.Message);
            Assert.Contains(other.Id, e.Message);
        }
    }
}

namespace SoraPS.Core.Tests
{
    using System.Threading.Tasks;
    using SoraPS.Core.Journal;
    using SoraPS.Emulator;

    /// <summary>No paid call without a durable record: a journal that cannot be written stops the submission.</summary>
    public sealed class JournalUnwritableTests : IAsyncLifetime
    {
        private SoraEmulator _emu;
        private TempDir _dir;

        public async Task InitializeAsync()
        {
            _emu = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromSeconds(5) });
            _dir = new TempDir();
        }

        public async Task DisposeAsync()
        {
            await _emu.DisposeAsync();
            _dir.Dispose();
        }

        [Theory]
        [InlineData("OpenAI", false)]
        [InlineData("UnifiedTask", false)]
        [InlineData("OpenAI", true)]
        public async Task Nothing_is_sent_when_the_submission_cannot_be_journaled(string dialect, bool budget)
        {
            // A journal folder whose parent is a file: no line can ever be written there (root ignores permissions).
            var blocker = Path.Combine(_dir.Path, "not-a-folder");
            File.WriteAllText(blocker, "x");
            var profile = Testing.Profile(_emu, dialect);
            if (budget) profile.DailyBudget = 100m;
            var client = Testing.Client(_emu, dialect, profile: profile);
            client.Journal = new TaskJournal(Path.Combine(blocker, "journal"));
            var e = await Assert.ThrowsAnyAsync<SoraException>(() => client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "unjournaled" }), Testing.Timeout()));
            Assert.Equal(budget ? "BudgetUnverifiable" : "JournalUnwritable", e.ErrorId);
            Assert.Contains(Path.Combine(blocker, "journal"), e.Message);
            Assert.Contains("nothing was sent", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(0, _emu.State.Count("POST", "/"));
        }
    }
}

namespace SoraPS.Core.Tests
{
    using System.Linq;
    using SoraPS.Core.Downloads;

    /// <summary>One file per task: names that never meet, and a kept file only when it is a whole video.</summary>
    public sealed class OneFilePerTaskTests
    {
        private static byte[] Sample => new SoraPS.Emulator.EmulatorState(64 * 1024).VideoFor("any");

        [Fact]
        public void Numbered_ids_from_two_profiles_get_two_names()
        {
            var a = SavePolicy.FileName(new SoraTask("1", "relay-a", "OpenAI"), DownloadVariant.Video);
            var b = SavePolicy.FileName(new SoraTask("1", "relay-b", "OpenAI"), DownloadVariant.Video);
            Assert.Equal("relay-a-1.mp4", a);
            Assert.Equal("relay-b-1.mp4", b);
            // A long, distinctive id keeps its own name, as before.
            Assert.Equal("video_0123456789abcdef.mp4", SavePolicy.FileName(new SoraTask("video_0123456789abcdef", "relay-a", "OpenAI"), DownloadVariant.Video));
        }

        [Fact]
        public void Ids_cut_to_the_same_length_get_two_names()
        {
            var stem = new string('x', 200);
            var a = SavePolicy.FileName(new SoraTask(stem + "A", "p", "OpenAI"), DownloadVariant.Video);
            var b = SavePolicy.FileName(new SoraTask(stem + "B", "p", "OpenAI"), DownloadVariant.Video);
            Assert.NotEqual(a, b);
            Assert.True(a.Length <= 150 + ".mp4".Length, a);
            // Ids that are made safe to the same text also differ.
            Assert.NotEqual(SavePolicy.TaskName(new SoraTask("job:0123456789abcdef", "p", "X")), SavePolicy.TaskName(new SoraTask("job/0123456789abcdef", "p", "X")));
        }

        [Fact]
        public void Only_a_whole_mp4_is_whole()
        {
            using (var dir = new TempDir())
            {
                var whole = Path.Combine(dir.Path, "whole.mp4");
                File.WriteAllBytes(whole, Sample);
                Assert.True(Mp4.IsWhole(whole));
                var head = Path.Combine(dir.Path, "head.mp4");
                File.WriteAllBytes(head, Sample.Take(1000).ToArray());
                Assert.False(Mp4.IsWhole(head));
                var trailing = Path.Combine(dir.Path, "trailing.mp4");
                File.WriteAllBytes(trailing, Sample.Concat(new byte[] { 1, 2, 3 }).ToArray());
                Assert.False(Mp4.IsWhole(trailing));
                var text = Path.Combine(dir.Path, "text.mp4");
                File.WriteAllText(text, "<html>not a video</html>");
                Assert.False(Mp4.IsWhole(text));
                // -SkipExisting keeps the whole video and refuses the cut head.
                Assert.Equal(ExistingFile.Skip, SavePolicy.ForExisting(whole, DownloadVariant.Video, overwrite: false, skipExisting: true));
                Assert.Equal(ExistingFile.Refuse, SavePolicy.ForExisting(head, DownloadVariant.Video, overwrite: false, skipExisting: true));
            }
        }
    }
}
