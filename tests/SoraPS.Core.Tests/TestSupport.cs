using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;
using SoraPS.Emulator;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>One emulator on 127.0.0.1 shared by a test class; tasks take 0.8 s.</summary>
    public sealed class EmulatorFixture : IAsyncLifetime
    {
        public SoraEmulator Emulator { get; private set; }

        public async Task InitializeAsync()
        {
            Emulator = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromMilliseconds(800) });
        }

        public async Task DisposeAsync() => await Emulator.DisposeAsync();
    }

    /// <summary>Collects Core's trace lines so tests can inspect them.</summary>
    public sealed class CapturingLog : ISoraLog
    {
        public ConcurrentQueue<string> Lines { get; } = new ConcurrentQueue<string>();
        public void Verbose(string message) => Lines.Enqueue(message);
        public void Debug(string message) => Lines.Enqueue(message);
        public void Warning(string message) => Lines.Enqueue("WARNING: " + message);
        public string All => string.Join("\n", Lines);
    }

    public sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "soraps-test-" + Guid.NewGuid().ToString("N")[..10]);
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }
        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try { Directory.Delete(Path, true); } catch (IOException) { }
        }
    }

    internal static class Testing
    {
        public static readonly RetryPolicy FastRetry = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200), MaxAttempts = 4 };

        public static SoraProfile Profile(SoraEmulator emu, string dialect, string name = null) => new SoraProfile
        {
            Name = name ?? dialect.ToLowerInvariant(),
            Dialect = dialect,
            BaseUri = emu.DialectBase(dialect),
        };

        public static SoraClient Client(SoraEmulator emu, string dialect, ISoraLog log = null, string key = null, SoraProfile profile = null) =>
            new SoraClient(profile ?? Profile(emu, dialect), log, FastRetry, _ => new ApiCredential(key ?? emu?.Options.ApiKey ?? "test-key", "test"));

        public static CancellationToken Timeout(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

        /// <summary>Polling fast enough for sub-second emulator tasks.</summary>
        public static WaitOptions Fast => new WaitOptions { MinInterval = TimeSpan.FromMilliseconds(100), MaxInterval = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromSeconds(30) };

        /// <summary>Takes every event until no task is outstanding (at most 40 s), and checks none is left.</summary>
        public static List<WaitEvent> Drain(TaskWaiter waiter)
        {
            var events = new List<WaitEvent>();
            var deadline = DateTime.UtcNow.AddSeconds(40);
            while (waiter.Outstanding > 0 && DateTime.UtcNow < deadline)
                if (waiter.TryTake(TimeSpan.FromMilliseconds(200), out var e)) events.Add(e);
            Assert.Equal(0, waiter.Outstanding);
            return events;
        }

        /// <summary>Waits for one task with <see cref="Fast"/> polling; the task object is updated in place.</summary>
        public static List<WaitEvent> WaitFor(SoraClient client, SoraTask task)
        {
            using (var waiter = new TaskWaiter(_ => client, Fast, Timeout()))
            {
                waiter.Add(task);
                return Drain(waiter);
            }
        }
    }
}
