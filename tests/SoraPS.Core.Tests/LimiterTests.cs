using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core.Downloads;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>The one limiter type as a fixed limit (polls, downloads, lanes), and the download parallelism setting.</summary>
    public sealed class LimiterTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _fx;

        public LimiterTests(EmulatorFixture fx)
        {
            _fx = fx;
        }

        [Fact]
        public async Task A_fixed_limit_serves_waiters_in_order_and_a_cancelled_waiter_gives_up_its_place()
        {
            var limiter = new AdaptiveLimiter(1);
            await limiter.WaitAsync(CancellationToken.None);
            var order = new List<string>();
            using (var cts = new CancellationTokenSource())
            {
                var first = limiter.WaitAsync(CancellationToken.None).ContinueWith(_ => { lock (order) order.Add("first"); });
                var cancelled = limiter.WaitAsync(cts.Token);
                var third = limiter.WaitAsync(CancellationToken.None).ContinueWith(_ => { lock (order) order.Add("third"); });
                cts.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
                Assert.False(first.IsCompleted);
                limiter.Release();
                await first.WaitAsync(TimeSpan.FromSeconds(5));
                Assert.False(third.IsCompleted);
                limiter.Release();
                await third.WaitAsync(TimeSpan.FromSeconds(5));
                Assert.Equal(new[] { "first", "third" }, order);
                Assert.Equal(1, limiter.InFlight);
                Assert.Equal(1, limiter.Limit);
            }
        }

        [Fact]
        public void The_download_parallelism_is_a_validated_network_setting_with_a_default_of_4()
        {
            foreach (var d in Dialects.DialectRegistry.Dialects)
                Assert.Contains(d.Settings, s => s.Name == NetworkSettings.MaxParallelDownloads && s.Default == "4" && s.Type == SettingType.Limit);
            var profile = new SoraProfile { Name = "p", Dialect = "OpenAI", BaseUri = new Uri("https://api.example.com") };
            Assert.Equal(4, profile.MaxParallelDownloads);
            foreach (var bad in new[] { "0", "101", "2.5", "-1", "many" })
            {
                profile.Settings = new Dictionary<string, string> { ["maxparalleldownloads"] = bad };
                var e = Assert.Throws<SoraValidationException>(() => ProfileStore.Validate(profile));
                Assert.Equal("InvalidSetting", e.ErrorId);
                Assert.Contains("from 1 to 100", e.Message);
            }
            profile.Settings = new Dictionary<string, string> { ["maxparalleldownloads"] = "2" };
            ProfileStore.Validate(profile);
            Assert.Equal(2, profile.MaxParallelDownloads);
            Assert.Equal(2, new SoraClient(profile).DownloadLimiter.Ceiling);
            Assert.Equal(NetworkSettings.DefaultParallelDownloads, new SoraClient(new SoraProfile { Name = "q", Dialect = "OpenAI", BaseUri = new Uri("https://api.example.com") }).DownloadLimiter.Ceiling);
        }

        [Fact]
        public async Task A_download_waits_for_a_slot_of_its_profiles_limit()
        {
            var profile = Testing.Profile(_fx.Emulator, "OpenAI");
            profile.Settings = new Dictionary<string, string> { [NetworkSettings.MaxParallelDownloads] = "1" };
            var client = Testing.Client(_fx.Emulator, "OpenAI", profile: profile);
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a slot for one" }), Testing.Timeout());
            Testing.WaitFor(client, task);
            Assert.Equal(SoraTaskStatus.Succeeded, task.Status);
            using (var dir = new TempDir())
            {
                await client.DownloadLimiter.WaitAsync(CancellationToken.None); // the one slot is taken
                var download = client.DownloadAsync(task, dir.File("v.mp4"), new DownloadOptions(), null, Testing.Timeout());
                await Task.Delay(400);
                Assert.False(download.IsCompleted);
                Assert.False(File.Exists(dir.File("v.mp4")));
                client.DownloadLimiter.Release();
                var result = await download.WaitAsync(TimeSpan.FromSeconds(20));
                Assert.True(VideoDownloader.LooksLikeMp4(result.Path));
                Assert.Equal(0, client.DownloadLimiter.InFlight);
            }
        }
    }
}
