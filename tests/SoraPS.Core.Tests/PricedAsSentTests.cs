using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using SoraPS.Core.Catalog;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;
using SoraPS.Emulator;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>
    /// A budget counts the request as it goes out: provider options that change the model, the length or the number of
    /// videos are priced (or refused where they contradict a parameter), and an edit or a remix costs its source's length,
    /// looked up at the provider when it is not known.
    /// </summary>
    public sealed class PricedAsSentTests : IAsyncLifetime
    {
        private SoraEmulator _emu;
        private TempDir _dir;
        private TaskJournal _journal;

        public async Task InitializeAsync()
        {
            _emu = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromMilliseconds(300) });
            _dir = new TempDir();
            _journal = new TaskJournal(Path.Combine(_dir.Path, "journal"));
        }

        public async Task DisposeAsync()
        {
            await _emu.DisposeAsync();
            _dir.Dispose();
        }

        private SoraClient Client(string dialect = "OpenAI", decimal? daily = null, string name = null)
        {
            var profile = Testing.Profile(_emu, dialect, name);
            profile.DailyBudget = daily;
            var c = Testing.Client(_emu, dialect, profile: profile);
            c.Journal = _journal;
            return c;
        }

        private static Dictionary<string, object> Options(params (string Key, object Value)[] kv) =>
            kv.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

        private JsonElement LastCreateBody(string path)
        {
            var body = _emu.State.Requests.Last(r => r.Method == "POST" && r.Path.EndsWith(path, StringComparison.Ordinal)).Body;
            return JsonDocument.Parse(body).RootElement;
        }

        [Fact]
        public async Task A_length_given_as_a_provider_option_is_the_length_priced_and_sent()
        {
            var client = Client(daily: 10m);
            var v = client.Validate(new VideoRequest { Prompt = "twelve seconds", ProviderOptions = Options(("seconds", "12")) });
            Assert.Equal(12, v.Duration);
            Assert.Equal(1.20m, Pricing.For(v).Amount);
            var task = await client.SubmitAsync(v, Testing.Timeout());
            Assert.Equal("12", LastCreateBody("/videos").GetProperty("seconds").GetString());
            Assert.Equal(1.20m, _journal.Read().Single(e => e.Id == task.Id).EstimatedCost);
        }

        [Fact]
        public void A_provider_option_that_contradicts_a_parameter_is_refused_before_any_request()
        {
            var client = Client(daily: 10m);
            var e = Assert.Throws<SoraValidationException>(() =>
                client.Validate(new VideoRequest { Prompt = "four or twelve", Duration = 4, ProviderOptions = Options(("seconds", "12")) }));
            Assert.Equal("ConflictingProviderOption", e.ErrorId);
            Assert.Contains("-Duration 4", e.Message);
            Assert.Contains("seconds", e.Message);
            var m = Assert.Throws<SoraValidationException>(() =>
                client.Validate(new VideoRequest { Prompt = "which model", Model = "sora-2", ProviderOptions = Options(("model", "sora-2-pro")) }));
            Assert.Equal("ConflictingProviderOption", m.ErrorId);
            // A length the model cannot make is refused as if -Duration had said it.
            var d = Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "seven", ProviderOptions = Options(("seconds", "7")) }));
            Assert.Equal("InvalidDuration", d.ErrorId);
            Assert.Empty(_emu.State.Requests);
        }

        [Fact]
        public async Task A_model_given_as_a_provider_option_is_the_model_priced()
        {
            var client = Client(daily: 10m);
            var v = client.Validate(new VideoRequest { Prompt = "pro", ProviderOptions = Options(("model", "sora-2-pro")) });
            Assert.Equal("sora-2-pro", v.Model);
            Assert.Equal(0.30m * 4, Pricing.For(v).Amount);
            await client.SubmitAsync(v, Testing.Timeout());
            Assert.Equal("sora-2-pro", LastCreateBody("/videos").GetProperty("model").GetString());
            // An unknown model in an option is refused as -Model would be.
            var e = Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "x", ProviderOptions = Options(("model", "no-such-model")) }));
            Assert.Equal("UnknownModel", e.ErrorId);
        }

        [Fact]
        public async Task Azure_variants_are_each_counted()
        {
            // Azure lists no price: a model the user priced (0.10 USD/s) stands in for one.
            ModelCatalog.Current.Store.Update(list => list.Add(new UserModel { Dialect = "AzureJobs", Name = "sora-priced-variants", Like = "sora", PricePerSecond = 0.10m }));
            try { await VariantsCounted(); }
            finally { ModelCatalog.Current.Store.Update(list => list.RemoveAll(m => m.Name == "sora-priced-variants")); }
        }

        private async Task VariantsCounted()
        {
            var client = Client("AzureJobs", daily: 100m);
            var one = client.Validate(new VideoRequest { Prompt = "one", Model = "sora-priced-variants" });
            var two = client.Validate(new VideoRequest { Prompt = "two", Model = "sora-priced-variants", ProviderOptions = Options(("n_variants", 2)) });
            var single = Pricing.For(one);
            Assert.NotNull(single);
            Assert.Equal(2, two.Count);
            Assert.Equal(single.Amount * 2, Pricing.For(two).Amount);
            Assert.Contains("2 videos", Pricing.For(two).ToString());
            // The provider's own deployment name (unpriced here) goes out with the count as a number, even when given as text.
            var unpriced = Client("AzureJobs", name: "unpriced");
            await unpriced.SubmitAsync(unpriced.Validate(new VideoRequest { Prompt = "two", ProviderOptions = Options(("n_variants", "2")) }), Testing.Timeout());
            Assert.Equal(2, LastCreateBody("/jobs").GetProperty("n_variants").GetInt32());
            // A budget that holds one video but not two refuses the pair before any request.
            var tight = Client("AzureJobs", daily: single.Amount * 1.5m, name: "tight");
            var posts = _emu.State.Requests.Count(r => r.Method == "POST");
            var refused = await Assert.ThrowsAsync<SoraException>(() => tight.SubmitAsync(tight.Validate(new VideoRequest { Prompt = "pair", Model = "sora-priced-variants", ProviderOptions = Options(("n_variants", "2")) }), Testing.Timeout()));
            Assert.Equal("BudgetExceeded", refused.ErrorId);
            Assert.Equal(posts, _emu.State.Requests.Count(r => r.Method == "POST"));
            // Not a count: refused.
            var bad = Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "x", Model = "sora-priced-variants", ProviderOptions = Options(("n_variants", "two")) }));
            Assert.Equal("InvalidProviderOption", bad.ErrorId);
        }

        [Fact]
        public void A_field_SoraPS_writes_from_a_parameter_is_refused_as_an_option_naming_the_parameter()
        {
            var client = Client("SoraWeb");
            var e = Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "frames", ProviderOptions = Options(("n_frames", 300)) }));
            Assert.Equal("ConflictingProviderOption", e.ErrorId);
            Assert.Contains("-Duration", e.Message);
            var size = Assert.Throws<SoraValidationException>(() => Client().Validate(new VideoRequest { Prompt = "size", ProviderOptions = Options(("size", "1792x1024")) }));
            Assert.Contains("-Resolution", size.Message);
        }

        private async Task<SoraTask> Finished(SoraClient client, int seconds)
        {
            var source = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "source", Duration = seconds }), Testing.Timeout());
            Testing.WaitFor(client, source);
            Assert.Equal(SoraTaskStatus.Succeeded, source.Status);
            return source;
        }

        [Fact]
        public async Task An_edit_or_a_remix_of_a_twelve_second_video_by_id_is_priced_at_twelve_seconds()
        {
            var source = await Finished(Client(name: "free"), 12);
            // 12 s at 0.10 USD/s is 1.20 USD: a budget of 1.00 must refuse it (the default 4 s would pass at 0.40).
            var budgeted = Client(daily: 1.00m, name: "budgeted");
            var posts = _emu.State.Requests.Count(r => r.Method == "POST");
            var edit = await Assert.ThrowsAsync<SoraException>(() => budgeted.SubmitAsync(budgeted.Validate(new VideoRequest { Prompt = "edit", EditOf = source.Id }), Testing.Timeout()));
            Assert.Equal("BudgetExceeded", edit.ErrorId);
            Assert.Contains("1.20 USD (12 s x 0.10 USD/s)", edit.Message);
            var remix = await Assert.ThrowsAsync<SoraException>(() => budgeted.SubmitAsync(budgeted.Validate(new VideoRequest { Prompt = "remix", RemixOf = source.Id }), Testing.Timeout()));
            Assert.Equal("BudgetExceeded", remix.ErrorId);
            Assert.Equal(posts, _emu.State.Requests.Count(r => r.Method == "POST"));
            // With room, the edit goes out and is journaled at its real length and price.
            var roomy = Client(daily: 5m, name: "roomy");
            var task = await roomy.SubmitAsync(roomy.Validate(new VideoRequest { Prompt = "edit", EditOf = source.Id }), Testing.Timeout());
            var entry = _journal.Read().Single(e => e.Id == task.Id);
            Assert.Equal(12, entry.Duration);
            Assert.Equal(1.20m, entry.EstimatedCost);
        }

        [Fact]
        public async Task A_remix_keeps_its_source_length_so_a_duration_with_it_is_refused()
        {
            var client = Client();
            var e = Assert.Throws<SoraValidationException>(() => client.Validate(new VideoRequest { Prompt = "remix", RemixOf = "video_x", Duration = 8 }));
            Assert.Equal("DurationWithRemix", e.ErrorId);
            await Task.CompletedTask;
        }

        [Fact]
        public async Task A_source_whose_length_cannot_be_learned_is_refused_on_a_budgeted_profile_before_any_request()
        {
            var budgeted = Client(daily: 100m);
            var e = await Assert.ThrowsAnyAsync<SoraException>(() => budgeted.SubmitAsync(budgeted.Validate(new VideoRequest { Prompt = "edit", EditOf = "video_nobody_knows" }), Testing.Timeout()));
            Assert.Equal("CostUnknown", e.ErrorId);
            Assert.Contains("video_nobody_knows", e.Message);
            Assert.DoesNotContain(_emu.State.Requests, r => r.Method == "POST");
            Assert.Empty(_journal.Read());
        }
    }
}
