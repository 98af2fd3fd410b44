using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;

namespace SoraPS.Bench
{
    /// <summary>
    /// A year of automation: a journal of 100,000 tasks over 12 months (about 500,000 lines), then
    /// Get-SoraTask -Pending and Get-SoraTask -First 10, each in a fresh process (time, peak memory growth).
    /// The first -Pending of a journal written by an older version builds the pending index once; it is
    /// reported apart ("first query").
    /// </summary>
    internal static class JournalBench
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static IEnumerable<string[]> Run(string pwsh, bool quick)
        {
            var tasks = quick ? 20000 : 100000;
            var dir = Path.Combine(Path.GetTempPath(), "soraps-bench-journal-" + Guid.NewGuid().ToString("N")[..6]);
            var rows = new List<string[]>();
            try
            {
                var w = Stopwatch.StartNew();
                var (lines, bytes, pending) = Build(Path.Combine(dir, "journal"), tasks);
                Console.WriteLine($"journal: {tasks} tasks, {lines} lines, {bytes / 1048576.0:0} MiB over 12 months, {pending} pending; built in {w.Elapsed.TotalSeconds:0.0} s");
                var what = $"Journal {tasks / 1000}k tasks / {lines / 1000}k lines";
                foreach (var (query, label) in new[] { ("pending", "Pending (first query)"), ("pending", "Pending"), ("first10", "First 10"), ("all", "all tasks (full read)") })
                {
                    var runs = new List<(double Seconds, long Growth, int Count)>();
                    var reps = label.StartsWith("Pending (first", StringComparison.Ordinal) || query == "all" ? 1 : 3;
                    for (var i = 0; i < reps; i++)
                    {
                        var output = Program.Run("dotnet", typeof(JournalBench).Assembly.Location, "--child-journal", Path.Combine(dir, "journal"), query);
                        var parts = output.Split('\n').Last(l => l.StartsWith("RESULT", StringComparison.Ordinal)).Split(' ');
                        runs.Add((double.Parse(parts[1], Inv), long.Parse(parts[2], Inv), int.Parse(parts[3], Inv)));
                    }
                    var best = runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2);
                    rows.Add(new[]
                    {
                        $"{what}: Core journal read, {label}",
                        $"{best.Seconds:0.000} s ({best.Count} tasks)",
                        "",
                        query == "all" ? "(reference: reads everything)" : $"{best.Seconds:0.00}x 1 s (target well under 1 s)",
                        $"peak memory growth {best.Growth / 1048576.0:0.0} MiB" + (query == "all" ? "" : " (target < 100 MiB)"),
                    });
                }
                if (pwsh != null)
                {
                    var module = Path.Combine(Program.Root, "out", "SoraPS", "SoraPS.psd1");
                    const string script = "Import-Module '{0}'; $null = Get-SoraProfile; $p = [Diagnostics.Process]::GetCurrentProcess(); $p.Refresh(); $m0 = $p.WorkingSet64; " +
                                          "$w = [Diagnostics.Stopwatch]::StartNew(); $n = @({1}).Count; $s = $w.Elapsed.TotalSeconds; $p.Refresh(); " +
                                          "'RESULT {{0}} {{1}} {{2}}' -f $s.ToString([cultureinfo]::InvariantCulture), ($p.PeakWorkingSet64 - $m0), $n";
                    foreach (var (cmd, label) in new[] { ("Get-SoraTask -Pending", "Get-SoraTask -Pending (first query)"), ("Get-SoraTask -Pending", "Get-SoraTask -Pending"), ("Get-SoraTask -First 10", "Get-SoraTask -First 10") })
                    {
                        // The first query of a journal written without the open-tasks index builds it from every line.
                        if (label.EndsWith("(first query)", StringComparison.Ordinal)) File.Delete(Path.Combine(dir, "journal", "open-tasks.json"));
                        var output = Program.RunWithEnv(pwsh, new Dictionary<string, string> { ["SORAPS_CONFIG_HOME"] = dir, ["POWERSHELL_TELEMETRY_OPTOUT"] = "1" },
                            "-NoProfile", "-NonInteractive", "-Command", string.Format(Inv, script, module, cmd));
                        var parts = output.Split('\n').Last(l => l.StartsWith("RESULT", StringComparison.Ordinal)).Split(' ');
                        rows.Add(new[]
                        {
                            $"{what}: {label} (pwsh)",
                            $"{double.Parse(parts[1], Inv):0.000} s ({parts[3].Trim()} tasks)",
                            "", "target well under 1 s",
                            $"peak working set growth {long.Parse(parts[2], Inv) / 1048576.0:0.0} MiB (target < 100 MiB)",
                        });
                    }
                }
            }
            finally
            {
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
            return rows;
        }

        /// <summary>Runs one query on the journal in this (fresh) process and prints time, peak memory growth and count.</summary>
        public static int Child(string[] args)
        {
            var journal = new TaskJournal(args[1]);
            GC.Collect();
            var before = Memory.Rss();
            var w = Stopwatch.StartNew();
            int count;
            switch (args[2])
            {
                case "pending": count = journal.Read(new JournalFilter { PendingOnly = true }).Count; break;
                case "first10": count = journal.Read(new JournalFilter { First = 10 }).Count; break;
                default: count = journal.Read().Count; break;
            }
            Console.WriteLine("RESULT " + w.Elapsed.TotalSeconds.ToString(Inv) + " " + Math.Max(0, Memory.PeakRss() - before).ToString(Inv) + " " + count.ToString(Inv));
            return 0;
        }

        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };

        /// <summary>
        /// Writes the journal as the module writes it: a submitting line (before the request leaves), a
        /// submitted line (the provider's id), two status lines and a saved line
        /// per task (a failed task has no saved line; every 20th task gets one more status line), one file a
        /// month. The last 25 tasks are still running and 5 ended Unknown.
        /// </summary>
        internal static (long Lines, long Bytes, int Pending) Build(string dir, int count)
        {
            Directory.CreateDirectory(dir);
            var start = DateTimeOffset.UtcNow.AddDays(-365);
            var step = TimeSpan.FromTicks(TimeSpan.FromDays(365).Ticks / count);
            var random = new Random(42);
            var profiles = new[] { "relay", "openai", "azure" };
            var dialects = new[] { "UnifiedTask", "OpenAI", "AzureJobs" };
            long lines = 0, bytes = 0;
            var pending = 0;
            string currentFile = null;
            StreamWriter writer = null;
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var at = start + TimeSpan.FromTicks(step.Ticks * i);
                    var file = Path.Combine(dir, "tasks-" + at.UtcDateTime.ToString("yyyy-MM", Inv) + ".jsonl");
                    if (file != currentFile)
                    {
                        writer?.Dispose();
                        writer = new StreamWriter(file, true, new UTF8Encoding(false));
                        currentFile = file;
                    }
                    var p = i % 3;
                    var id = "task_" + i.ToString("x8", Inv) + Guid.NewGuid().ToString("N")[..16];
                    var local = "sub-" + i.ToString("x8", Inv);
                    var baseEntry = new JournalEntry { Id = id, Profile = profiles[p], Dialect = dialects[p], Model = "sora-2", Duration = 8, AspectRatio = "16:9", Resolution = "720p" };
                    JournalEntry Line(string evt, SoraTaskStatus status, int progress, double minutes)
                    {
                        var e = new JournalEntry
                        {
                            Id = id, Profile = baseEntry.Profile, Dialect = baseEntry.Dialect, Model = baseEntry.Model, Duration = 8, AspectRatio = "16:9", Resolution = "720p",
                            Status = status, ProviderStatus = status.ToString().ToLowerInvariant(), Progress = progress, UpdatedAt = at.AddMinutes(minutes), Event = evt,
                        };
                        if (evt == "submitting")
                        {
                            e.Id = local;
                            e.Prompt = "Benchmark prompt number " + i.ToString(Inv) + ": a fox runs across a snowy field at dawn, cinematic, 35 mm, shallow depth of field";
                            e.SubmittedAt = at;
                            e.ProviderStatus = "submitting";
                        }
                        if (evt == "submitting" || evt == "submitted") e.SubmissionId = local;
                        if (evt == "submitted") e.CreatedAt = at;
                        return e;
                    }
                    var tail = i >= count - 30;
                    var list = new List<JournalEntry>();
                    if (tail && i >= count - 5)
                    {
                        list.Add(new JournalEntry
                        {
                            Id = local, SubmissionId = local, Profile = baseEntry.Profile, Dialect = baseEntry.Dialect, Model = "sora-2", Duration = 8, AspectRatio = "16:9", Resolution = "720p",
                            Prompt = "Benchmark prompt number " + i.ToString(Inv), Status = SoraTaskStatus.Unknown, SubmittedAt = at, UpdatedAt = at, Event = "submitting",
                        });
                    }
                    else
                    {
                        list.Add(Line("submitting", SoraTaskStatus.Unknown, 0, 0));
                        list.Add(Line("submitted", SoraTaskStatus.Queued, 0, 0));
                        list.Add(Line("status", SoraTaskStatus.Running, 40, 1));
                        if (tail) pending++;
                        else
                        {
                            if (i % 20 == 0) list.Add(Line("status", SoraTaskStatus.Running, 80, 2));
                            var failed = random.NextDouble() < 0.05;
                            var done = Line("status", failed ? SoraTaskStatus.Failed : SoraTaskStatus.Succeeded, 100, 3);
                            if (failed) { done.ErrorKind = "ContentModeration"; done.ErrorCode = "moderation_blocked"; done.ErrorMessage = "The video was blocked by moderation."; }
                            else { done.VideoUri = "https://relay.example.com/files/" + id + ".mp4"; done.ExpiresAt = at.AddDays(1); done.CompletedAt = at.AddMinutes(3); }
                            list.Add(done);
                            if (!failed)
                            {
                                var saved = Line("saved", SoraTaskStatus.Succeeded, 100, 4);
                                saved.SavedTo = "/home/user/videos/" + id + ".mp4";
                                list.Add(saved);
                            }
                        }
                    }
                    foreach (var e in list)
                    {
                        var text = JsonSerializer.Serialize(e, Json) + "\n";
                        writer.Write(text);
                        lines++;
                        bytes += text.Length;
                    }
                }
            }
            finally
            {
                writer?.Dispose();
            }
            return (lines, bytes, pending);
        }
    }
}
