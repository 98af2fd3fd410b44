using System;
using System.IO;
using System.Linq;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>What tab completion offers: profiles, dialects, the model tables narrowed by the command line, and task ids.</summary>
    public sealed class CompletionTests : IDisposable
    {
        private readonly TempDir _dir = new TempDir();
        private readonly ProfileStore _store;
        private readonly TaskJournal _journal;
        private readonly Completion _completion;

        public CompletionTests()
        {
            _store = new ProfileStore(_dir.Path);
            _store.Update(l =>
            {
                l.Add(new SoraProfile { Name = "relay", Dialect = "UnifiedTask", BaseUri = new Uri("https://relay.example.com"), IsDefault = true });
                l.Add(new SoraProfile { Name = "openai", Dialect = "OpenAI", BaseUri = new Uri("https://api.example.com"), Model = "sora-2-pro" });
            });
            _journal = new TaskJournal(Path.Combine(_dir.Path, "journal"));
            _completion = new Completion(_store, _journal);
        }

        public void Dispose() => _dir.Dispose();

        [Fact]
        public void Profiles_complete_by_prefix_with_dialect_and_default_in_the_tooltip()
        {
            Assert.Equal(new[] { "openai", "relay" }, _completion.Profiles("").Select(i => i.Value).OrderBy(v => v));
            var relay = Assert.Single(_completion.Profiles("'re"));
            Assert.Equal("relay", relay.Value);
            Assert.Contains("UnifiedTask", relay.Tooltip);
            Assert.Contains("(default)", relay.Tooltip);
        }

        [Fact]
        public void Dialects_complete_from_the_registry()
        {
            Assert.Contains("AzureJobs", _completion.Dialects("az").Select(i => i.Value));
            Assert.DoesNotContain("OpenAI", _completion.Dialects("az").Select(i => i.Value));
        }

        [Fact]
        public void Models_and_their_values_follow_the_profile_or_dialect_on_the_line()
        {
            Assert.Equal(new[] { "sora-2", "sora-2-pro-preview" }, _completion.Models("", "relay", null).Select(i => i.Value).OrderBy(v => v));
            Assert.Contains("sora-2-pro", _completion.Models("sora-2-p", null, "OpenAI").Select(i => i.Value));
            // The default profile is UnifiedTask: its sora-2 lasts 10 or 15 s.
            Assert.Equal(new[] { "10", "15" }, _completion.Durations("", null, null, "sora-2").Select(i => i.Value));
            // The openai profile's own model (sora-2-pro) narrows the values.
            Assert.Equal(new[] { "4", "8", "12" }, _completion.Durations("", "openai", null, null).Select(i => i.Value));
            Assert.Contains("1024p", _completion.Resolutions("", "openai", null, null).Select(i => i.Value));
            Assert.DoesNotContain("1024p", _completion.Resolutions("", "openai", null, "sora-2").Select(i => i.Value));
            Assert.Equal(new[] { "16:9" }, _completion.AspectRatios("16", "openai", null, null).Select(i => i.Value));
        }

        [Fact]
        public void Task_ids_come_from_the_journal_newest_first_and_per_profile()
        {
            _journal.Record(new SoraTask("task-a", "relay", "UnifiedTask") { Prompt = "first", Status = SoraTaskStatus.Queued }, "submitted");
            _journal.Record(new SoraTask("video_b", "openai", "OpenAI") { Prompt = "second", Status = SoraTaskStatus.Queued }, "submitted");
            Assert.Equal(new[] { "video_b", "task-a" }, _completion.TaskIds("", null).Select(i => i.Value));
            Assert.Equal(new[] { "task-a" }, _completion.TaskIds("", "relay").Select(i => i.Value));
            Assert.Contains("first", _completion.TaskIds("task", null).Single().Tooltip);
        }

        [Fact]
        public void A_broken_config_completes_nothing_and_never_throws()
        {
            File.WriteAllText(Path.Combine(_dir.Path, ProfileStore.FileName), "{ not json");
            Assert.Empty(_completion.Profiles(""));
            // Without a profile to narrow them, models come from every dialect.
            Assert.Contains("sora", _completion.Models("", null, null).Select(i => i.Value));
        }
    }
}
