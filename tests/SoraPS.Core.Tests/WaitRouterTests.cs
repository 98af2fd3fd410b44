using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using SoraPS.Commands;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;
using SoraPS.Emulator;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>
    /// The shared wait of one command (New-SoraVideo -Wait, Wait-SoraTask, Save-SoraVideo add to it): every task is
    /// waited for with the options it was added with and ends in the callback it was added with, not the first caller's.
    /// </summary>
    public sealed class WaitRouterTests
    {
        /// <summary>Runs what the router posts, as the pipeline thread does, until <paramref name="until"/> holds (at most 20 s).</summary>
        private static void PumpUntil(BlockingCollection<Action> posted, Func<bool> until)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!until() && DateTime.UtcNow < deadline)
                if (posted.TryTake(out var action, TimeSpan.FromMilliseconds(100))) action();
        }

        private static SoraTask Finished(string id) => new SoraTask(id, "openai", "OpenAI") { Status = SoraTaskStatus.Succeeded };

        [Fact]
        public void Each_task_ends_in_the_callback_it_was_added_with()
        {
            var posted = new BlockingCollection<Action>();
            var events = new List<(WaitEventKind Kind, string Task, string Caller)>();
            using (var router = new WaitRouter(_ => throw new InvalidOperationException("a finished task needs no client"), posted.Add, Testing.Timeout(),
                (e, done) => { events.Add((e.Kind, e.Task.Id, "handled")); done(e.Task); }))
            {
                var first = new List<string>();
                var second = new List<string>();
                router.Add(Finished("task_a"), new WaitOptions(), t => first.Add(t.Id));
                router.Add(Finished("task_b"), new WaitOptions { Timeout = TimeSpan.FromSeconds(5) }, t => second.Add(t.Id));
                PumpUntil(posted, () => events.Count == 2);

                Assert.Equal(new[] { "task_a" }, first);
                Assert.Equal(new[] { "task_b" }, second);
                Assert.Equal(0, router.Outstanding);
            }
        }

        [Fact]
        public async Task Each_task_is_waited_for_with_its_own_options()
        {
            await using (var emu = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromMinutes(2) }))
            {
                var client = Testing.Client(emu, "OpenAI");
                var running = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "a slow tide", Duration = 4 }), Testing.Timeout());
                Assert.False(running.IsTerminal);

                var posted = new BlockingCollection<Action>();
                var ended = new List<(WaitEventKind Kind, string Task)>();
                var timer = System.Diagnostics.Stopwatch.StartNew();
                using (var router = new WaitRouter(_ => client, posted.Add, Testing.Timeout(),
                    (e, done) => { if (e.Kind != WaitEventKind.Progress) ended.Add((e.Kind, e.Task.Id)); }))
                {
                    // The first caller waits without a time limit; the second gives its task one second.
                    router.Add(Finished("task_done"), new WaitOptions(), _ => { });
                    router.Add(running, new WaitOptions { Timeout = TimeSpan.FromSeconds(1), MinInterval = TimeSpan.FromMilliseconds(100), MaxInterval = TimeSpan.FromMilliseconds(300) }, _ => { });
                    PumpUntil(posted, () => ended.Count == 2);
                }

                Assert.Contains((WaitEventKind.Completed, "task_done"), ended);
                Assert.Contains((WaitEventKind.TimedOut, running.Id), ended);
                Assert.InRange(timer.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
            }
        }
    }
}
