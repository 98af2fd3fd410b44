using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core;
using SoraPS.Core.Downloads;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;

namespace SoraPS.Bench
{
    /// <summary>
    /// dotnet run --project bench/SoraPS.Bench -c Release [-- --only download,batch,wait,import,journal,clients,spend] [--quick]
    ///     [--before PATH/SoraPS.psd1] [--module LABEL=PATH/SoraPS.psd1 ...] [--psopenai PATH/PSOpenAI.psd1]
    /// Measures SoraPS against the provider emulator on loopback, side by side with what users would use
    /// instead, and prints a table of ratios. Every figure comes from this run; nothing is remembered.
    /// </summary>
    public static class Program
    {
        internal static string Root = FindRoot();
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
        private static readonly List<string[]> Rows = new List<string[]>();

        public static async Task<int> Main(string[] args)
        {
            if (args.Length > 0 && args[0] == "--child-download") return await ChildDownload(args);
            if (args.Length > 0 && args[0] == "--child-journal") return JournalBench.Child(args);
            if (args.Length > 0 && args[0] == "--child-spend") return SpendBench.Child(args);
            var only = (args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault() ?? "download,batch,wait,import,journal,clients,spend").Split(',');
            var quick = args.Contains("--quick");
            var dirArg = args.SkipWhile(a => a != "--dir").Skip(1).FirstOrDefault();
            if (dirArg != null) DownloadRoot = Path.GetFullPath(dirArg);
            var pwsh = Which("pwsh") ?? PinnedPwsh();
            Console.WriteLine($"SoraPS benchmarks on {Environment.ProcessorCount} cores, {Environment.OSVersion}; pwsh: {pwsh ?? "not found (cmdlet rows skipped)"}; downloads written to {DownloadRoot}");
            if (only.Contains("download")) await Download(pwsh, quick);
            if (only.Contains("batch")) await Batch(pwsh, quick);
            if (only.Contains("wait")) await Waiting(quick);
            if (only.Contains("import")) Import(pwsh, quick);
            if (only.Contains("journal")) Rows.AddRange(JournalBench.Run(pwsh, quick));
            if (only.Contains("clients"))
            {
                // --before PATH: an earlier build of the module; --module LABEL=PATH: any other build, measured alongside.
                var others = new List<(string, string)>();
                for (var i = 0; i + 1 < args.Length; i++)
                {
                    if (args[i] == "--before") others.Add(("SoraPS before", args[i + 1]));
                    if (args[i] == "--module" && args[i + 1].Contains('=')) others.Add((args[i + 1].Substring(0, args[i + 1].IndexOf('=')), args[i + 1].Substring(args[i + 1].IndexOf('=') + 1)));
                }
                Rows.AddRange(ClientsBench.Run(pwsh, quick, others, args.SkipWhile(a => a != "--psopenai").Skip(1).FirstOrDefault()));
            }
            if (only.Contains("spend")) Rows.AddRange(SpendBench.Run(pwsh, quick));
            Print();
            return 0;
        }

        // ---------------------------------------------------------------- download

        private static async Task Download(string pwsh, bool quick)
        {
            var curl = Which("curl");
            var sizes = quick ? new[] { 64L << 20 } : new[] { 64L << 20, 256L << 20, 1L << 30 };
            foreach (var size in sizes)
            {
                using (var emu = Emulator.Start("--task-seconds", "0.1", "--video-bytes", size.ToString(Inv)))
                {
                    var (client, task) = await emu.FinishedTask("UnifiedTask");
                    var url = task.VideoUri.AbsoluteUri;
                    var dir = Path.Combine(DownloadRoot, "soraps-bench-" + Guid.NewGuid().ToString("N")[..6]);
                    Directory.CreateDirectory(dir);
                    try
                    {
                        var reps = 3;
                        var sync = Which("sync");
                        var curlTimes = new List<double>();
                        var coreRuns = new List<(double Seconds, long Growth)>();
                        var cmdletRuns = new List<(double Seconds, long Growth)>();
                        var tools = new List<Action>();
                        if (curl != null)
                            tools.Add(() =>
                            {
                                var w = Stopwatch.StartNew();
                                Run(curl, "-s", "-f", "-o", Path.Combine(dir, "curl.mp4"), url);
                                curlTimes.Add(w.Elapsed.TotalSeconds);
                                File.Delete(Path.Combine(dir, "curl.mp4"));
                            });
                        tools.Add(() =>
                        {
                            coreRuns.Add(ParseRun(Run("dotnet", typeof(Program).Assembly.Location, "--child-download", url, Path.Combine(dir, "core.mp4"))));
                            File.Delete(Path.Combine(dir, "core.mp4"));
                        });
                        if (pwsh != null)
                            tools.Add(() =>
                            {
                                cmdletRuns.Add(ParseRun(RunPwsh(pwsh, emu, $@"
$t = Get-SoraTask -Id '{task.Id}' -Profile bench
$before = (Get-Process -Id $PID).WorkingSet64
$w = [Diagnostics.Stopwatch]::StartNew()
$t | Save-SoraVideo -Path '{dir}' -Force
$s = $w.Elapsed.TotalSeconds
$p = Get-Process -Id $PID
'RESULT {{0}} {{1}}' -f $s.ToString([cultureinfo]::InvariantCulture), [math]::Max(0, $p.PeakWorkingSet64 - $before)
")));
                                File.Delete(Path.Combine(dir, task.Id + ".mp4"));
                            });
                        for (var r = 0; r < reps; r++)
                        {
                            // Interleaved, and in a rotating order, so drift on a noisy machine hits every tool alike;
                            // each run starts with no dirty pages left by the previous one.
                            for (var k = 0; k < tools.Count; k++)
                            {
                                if (sync != null) Run(sync);
                                tools[(k + r) % tools.Count]();
                            }
                        }
                        var mib = size / 1048576.0;
                        var curlBest = curlTimes.Count > 0 ? curlTimes.Min() : double.NaN;
                        Report($"Download {mib:0} MiB: Core downloader", coreRuns.Min(x => x.Seconds), mib, curlBest, coreRuns.Max(x => x.Growth));
                        if (cmdletRuns.Count > 0) Report($"Download {mib:0} MiB: Save-SoraVideo", cmdletRuns.Min(x => x.Seconds), mib, curlBest, cmdletRuns.Max(x => x.Growth));
                        if (curlTimes.Count > 0) Rows.Add(new[] { $"Download {mib:0} MiB: curl -o", $"{curlBest:0.00} s", $"{mib / curlBest:0} MiB/s", "1.00x (reference)", "" });
                    }
                    finally
                    {
                        Directory.Delete(dir, true);
                    }
                }
            }
        }

        /// <summary>
        /// Where downloads are written: a RAM-backed folder when there is one (so the disk's write-back, which
        /// swings by tens of percent between runs, does not decide the ratio), else the temp folder.
        /// --dir PATH chooses another.
        /// </summary>
        internal static string DownloadRoot = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

        private static void Report(string what, double seconds, double mib, double curl, long growth) =>
            Rows.Add(new[]
            {
                what, $"{seconds:0.00} s", $"{mib / seconds:0} MiB/s",
                double.IsNaN(curl) ? "curl absent" : $"{curl / seconds:0.00}x curl (target >= 0.9x)",
                $"peak memory growth {growth / 1048576.0:0.0} MiB (target <= 32 MiB)",
            });

        private static (double, long) ParseRun(string output)
        {
            var line = output.Split('\n').Last(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
            return (double.Parse(line[1], Inv), long.Parse(line[2], Inv));
        }

        /// <summary>Child process: one Core download, reporting its time and its own peak memory growth.</summary>
        private static async Task<int> ChildDownload(string[] args)
        {
            var url = new Uri(args[1]);
            var http = new SoraHttp(new Uri(url.GetLeftPart(UriPartial.Authority)), null, AuthScheme.Bearer);
            // Warm up the HTTP stack so its one-time cost is not counted as download memory.
            await http.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(url, "/")), RequestKind.Read, CancellationToken.None);
            GC.Collect();
            var before = Memory.Rss();
            var w = Stopwatch.StartNew();
            await VideoDownloader.DownloadAsync(http, url, args[2], null, new DownloadOptions { Overwrite = true }, null, CancellationToken.None);
            Console.WriteLine("RESULT " + w.Elapsed.TotalSeconds.ToString(Inv) + " " + Math.Max(0, Memory.PeakRss() - before).ToString(Inv));
            return 0;
        }

        // ---------------------------------------------------------------- batch submission

        private static async Task Batch(string pwsh, bool quick)
        {
            if (pwsh == null) { Rows.Add(new[] { "Batch submission", "skipped: no pwsh", "", "", "" }); return; }
            var count = quick ? 200 : 1000;
            const double latencyMs = 50;
            const int concurrency = 8;
            using (var emu = Emulator.Start("--task-seconds", "3600", "--submit-latency-ms", latencyMs.ToString(Inv)))
            {
                // What one submission really takes on this machine (the nominal latency plus HTTP and timer slack).
                var probe = emu.Client("UnifiedTask");
                await probe.SubmitAsync(probe.Validate(new VideoRequest { Prompt = "probe" }), CancellationToken.None);
                var pw = Stopwatch.StartNew();
                for (var i = 0; i < 20; i++) await probe.SubmitAsync(probe.Validate(new VideoRequest { Prompt = "probe " + i }), CancellationToken.None);
                var effectiveMs = pw.Elapsed.TotalMilliseconds / 20;
                var output = RunPwsh(pwsh, emu, $@"
Set-SoraProfile -Name bench -MaxConcurrency {concurrency}
$prompts = 1..{count} | ForEach-Object {{ ""batch prompt $_"" }}
'warm up' | New-SoraVideo -Profile bench | Out-Null
$p = Get-Process -Id $PID
$cpu = $p.TotalProcessorTime; $ws = $p.WorkingSet64
$w = [Diagnostics.Stopwatch]::StartNew()
$n = ($prompts | New-SoraVideo -Profile bench | Measure-Object).Count
$s = $w.Elapsed.TotalSeconds
$p.Refresh()
'RESULT {{0}} {{1}} {{2}} {{3}}' -f $s.ToString([cultureinfo]::InvariantCulture), ($p.TotalProcessorTime - $cpu).TotalMilliseconds.ToString([cultureinfo]::InvariantCulture), [math]::Max(0, $p.PeakWorkingSet64 - $ws), $n
");
                var r = output.Split('\n').Last(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
                var seconds = double.Parse(r[1], Inv);
                var cpuMs = double.Parse(r[2], Inv);
                var growth = long.Parse(r[3], Inv);
                var emitted = int.Parse(r[4], Inv);
                var bound = count * latencyMs / 1000 / concurrency;
                Rows.Add(new[]
                {
                    $"Batch: {count} prompts | New-SoraVideo ({latencyMs:0} ms latency, MaxConcurrency {concurrency})",
                    $"{seconds:0.00} s ({emitted} tasks)", $"bound {bound:0.00} s",
                    $"{seconds / bound:0.00}x bound (target <= 1.1x); {seconds / (count * effectiveMs / 1000 / concurrency):0.00}x the bound at the measured {effectiveMs:0.0} ms per request",
                    $"CPU {cpuMs / count:0.00} ms/task; memory growth {growth / 1048576.0:0.0} MiB",
                });
            }
        }

        // ---------------------------------------------------------------- waiting economy

        private static async Task Waiting(bool quick)
        {
            var count = quick ? 200 : 1000;
            var min = quick ? "5" : "10";
            var max = quick ? "15" : "40";
            // The same seeded durations in every run: only the polling strategy differs.
            var baseline = await WaitRun("UnifiedTask", count, min, max, new WaitOptions { FixedInterval = TimeSpan.FromSeconds(1), MinInterval = TimeSpan.FromSeconds(1) });
            Rows.Add(WaitRow($"Wait {count} tasks ({min}-{max} s): fixed 1 s polling (reference)", baseline, null));
            var unified = await WaitRun("UnifiedTask", count, min, max, new WaitOptions());
            Rows.Add(WaitRow($"Wait {count} tasks: SoraPS, UnifiedTask (estimated_time +-30 %)", unified, baseline));
            var openai = await WaitRun("OpenAI", count, min, max, new WaitOptions());
            Rows.Add(WaitRow($"Wait {count} tasks: SoraPS, OpenAI (progress only)", openai, baseline));
            var hinted = await WaitRun("OpenAI", count, min, max, new WaitOptions(), "--poll-after-ms", "5000");
            Rows.Add(WaitRow($"Wait {count} tasks: SoraPS, OpenAI (openai-poll-after-ms 5000)", hinted, baseline));
            var fixedHint = await WaitRun("OpenAI", count, min, max, new WaitOptions { FixedInterval = TimeSpan.FromMilliseconds(500), MinInterval = TimeSpan.FromMilliseconds(500) }, "--poll-after-ms", "500");
            Rows.Add(WaitRow($"Wait {count} tasks: polling at the hint, openai-poll-after-ms 500 (as openai-node)", fixedHint, baseline));
            var shortHint = await WaitRun("OpenAI", count, min, max, new WaitOptions(), "--poll-after-ms", "500");
            Rows.Add(WaitRow($"Wait {count} tasks: SoraPS, OpenAI (openai-poll-after-ms 500)", shortHint, baseline));
        }

        private static string[] WaitRow(string what, (double PollsPerTask, double MeanDelay, double P95Delay, double MaxDelay) r, (double PollsPerTask, double, double, double)? baseline) =>
            new[]
            {
                what, $"{r.PollsPerTask:0.0} polls/task",
                $"detection delay mean {r.MeanDelay:0.00} s, p95 {r.P95Delay:0.00} s, max {r.MaxDelay:0.00} s",
                baseline == null ? "1.00x (reference)" : $"{r.PollsPerTask / baseline.Value.PollsPerTask:0.00}x requests (target <= 0.5x)",
                "",
            };

        private static async Task<(double, double, double, double)> WaitRun(string dialect, int count, string min, string max, WaitOptions options, params string[] extra)
        {
            var args = new List<string> { "--task-seconds", min, "--task-seconds-max", max, "--estimate-noise", "0.3" };
            args.AddRange(extra);
            using (var emu = Emulator.Start(args.ToArray()))
            {
                var client = emu.Client(dialect, 16);
                var tasks = new List<SoraTask>();
                for (var i = 0; i < count; i++)
                    tasks.Add(await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "wait bench " + i }), CancellationToken.None));
                var seen = new Dictionary<string, DateTimeOffset>();
                options.Timeout = TimeSpan.FromMinutes(10);
                using (var waiter = new TaskWaiter(_ => client, options, CancellationToken.None))
                {
                    foreach (var t in tasks) waiter.Add(t);
                    while (waiter.Outstanding > 0)
                        if (waiter.TryTake(TimeSpan.FromSeconds(1), out var e) && e.Kind != WaitEventKind.Progress) seen[e.Task.Id] = DateTimeOffset.UtcNow;
                }
                var facts = await emu.Tasks();
                var delays = facts.Where(f => seen.ContainsKey(f.Id)).Select(f => (seen[f.Id] - DateTimeOffset.FromUnixTimeMilliseconds(f.Completed)).TotalSeconds).OrderBy(x => x).ToList();
                var polls = facts.Average(f => (double)f.Polls);
                return (polls, delays.Average(), delays[(int)(delays.Count * 0.95)], delays.Last());
            }
        }

        // ---------------------------------------------------------------- import time

        private static void Import(string pwsh, bool quick)
        {
            if (pwsh == null) { Rows.Add(new[] { "Import-Module", "skipped: no pwsh", "", "", "" }); return; }
            var config = Path.Combine(Path.GetTempPath(), "soraps-bench-config-" + Guid.NewGuid().ToString("N")[..6]);
            var empty = Path.Combine(Root, "bench", "EmptyModule", "bin", "Release", "net8.0", "EmptyModule.dll");
            if (!File.Exists(empty)) empty = Directory.GetFiles(Path.Combine(Root, "bench", "EmptyModule", "bin"), "EmptyModule.dll", SearchOption.AllDirectories).First();
            // The baseline is a real (if empty) binary module: a manifest and a dll with one cmdlet.
            var emptyDir = Path.Combine(Path.GetTempPath(), "soraps-bench-empty-" + Guid.NewGuid().ToString("N")[..6], "EmptyModule");
            Directory.CreateDirectory(emptyDir);
            File.Copy(empty, Path.Combine(emptyDir, "EmptyModule.dll"));
            File.WriteAllText(Path.Combine(emptyDir, "EmptyModule.psd1"),
                "@{ RootModule = 'EmptyModule.dll'; ModuleVersion = '1.0.0'; GUID = '2b0c5f3e-7a5c-4d0e-9d43-6f0f5b1e2a11'; PowerShellVersion = '5.1'; CmdletsToExport = @('Get-Nothing'); FunctionsToExport = @(); AliasesToExport = @(); VariablesToExport = @() }");
            empty = Path.Combine(emptyDir, "EmptyModule.psd1");
            var sora = Path.Combine(Root, "out", "SoraPS", "SoraPS.psd1");
            var reps = quick ? 3 : 7;
            var soraImport = new List<double>();
            var emptyImport = new List<double>();
            var firstCommand = new List<double>();
            var firstWhatIf = new List<double>();
            const string script = @"$w = [Diagnostics.Stopwatch]::StartNew(); Import-Module '{0}'; $i = $w.Elapsed.TotalMilliseconds; $w.Restart(); {1} | Out-Null; $f = $w.Elapsed.TotalMilliseconds; $w.Restart(); {2} | Out-Null; $g = $w.Elapsed.TotalMilliseconds; 'RESULT {{0}} {{1}} {{2}}' -f $i.ToString([cultureinfo]::InvariantCulture), $f.ToString([cultureinfo]::InvariantCulture), $g.ToString([cultureinfo]::InvariantCulture)";
            for (var i = 0; i < reps; i++)
            {
                var e = Run(pwsh, "-NoProfile", "-NonInteractive", "-Command", string.Format(Inv, script, empty, "Get-Nothing", "Get-Nothing"));
                emptyImport.Add(double.Parse(e.Split('\n').Last(l => l.StartsWith("RESULT", StringComparison.Ordinal)).Split(' ')[1], Inv));
                var s = RunWithEnv(pwsh, new Dictionary<string, string> { ["SORAPS_CONFIG_HOME"] = config, ["SORAPS_API_KEY"] = "x" }, "-NoProfile", "-NonInteractive", "-Command",
                    string.Format(Inv, script, sora, "Get-SoraProfile", "Register-SoraProfile -Name b -Dialect OpenAI -BaseUri https://x.example.com -Force; New-SoraVideo 'a fox' -WhatIf 6>$null"));
                var parts = s.Split('\n').Last(l => l.StartsWith("RESULT", StringComparison.Ordinal)).Split(' ');
                soraImport.Add(double.Parse(parts[1], Inv));
                firstCommand.Add(double.Parse(parts[2], Inv));
                firstWhatIf.Add(double.Parse(parts[3], Inv));
            }
            try { Directory.Delete(config, true); Directory.Delete(Path.GetDirectoryName(emptyDir), true); } catch (IOException) { }
            double Median(List<double> x) => x.OrderBy(v => v).ElementAt(x.Count / 2);
            Rows.Add(new[] { "Import-Module SoraPS (fresh pwsh, median of " + reps + ")", $"{Median(soraImport):0} ms", $"empty binary module (manifest + dll) {Median(emptyImport):0} ms",
                $"{Median(soraImport) / Median(emptyImport):0.00}x (target <= 1.2x)", "" });
            Rows.Add(new[] { "First command after import", $"Get-SoraProfile {Median(firstCommand):0} ms", $"Register + New-SoraVideo -WhatIf {Median(firstWhatIf):0} ms", "", "" });
        }

        // ---------------------------------------------------------------- helpers

        internal static string RunPwsh(string pwsh, Emulator emu, string body)
        {
            var config = Path.Combine(Path.GetTempPath(), "soraps-bench-config-" + Guid.NewGuid().ToString("N")[..6]);
            var script = $@"
$ErrorActionPreference = 'Stop'
Import-Module '{Path.Combine(Root, "out", "SoraPS", "SoraPS.psd1")}'
Register-SoraProfile -Name bench -Dialect UnifiedTask -BaseUri '{emu.BaseUri}/unified' -ApiKeyEnvironmentVariable SORAPS_BENCH_KEY
{body}";
            try
            {
                return RunWithEnv(pwsh, new Dictionary<string, string> { ["SORAPS_CONFIG_HOME"] = config, ["SORAPS_BENCH_KEY"] = "emulator-key", ["POWERSHELL_TELEMETRY_OPTOUT"] = "1" },
                    "-NoProfile", "-NonInteractive", "-Command", script);
            }
            finally
            {
                try { Directory.Delete(config, true); } catch (IOException) { }
            }
        }

        internal static string Run(string file, params string[] args) => RunWithEnv(file, null, args);

        internal static string RunWithEnv(string file, Dictionary<string, string> env, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            if (env != null) foreach (var kv in env) psi.Environment[kv.Key] = kv.Value;
            using (var p = Process.Start(psi))
            {
                var stderr = p.StandardError.ReadToEndAsync();
                var stdout = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException($"{file} exited {p.ExitCode}: {stdout} {stderr.Result}");
                return stdout;
            }
        }

        private static void Print()
        {
            var widths = Enumerable.Range(0, 5).Select(i => Rows.Max(r => r.Length > i ? r[i].Length : 0)).ToArray();
            var sb = new StringBuilder();
            sb.AppendLine();
            sb.AppendLine("| What | Time / count | Rate | Ratio | Resources |");
            sb.AppendLine("| --- | --- | --- | --- | --- |");
            foreach (var r in Rows) sb.AppendLine("| " + string.Join(" | ", r.Select(c => c.Replace("|", "\\|"))) + " |");
            Console.Write(sb.ToString());
            var file = Path.Combine(Root, "bench", "results-latest.md");
            File.WriteAllText(file, $"SoraPS benchmarks, {DateTime.UtcNow:u}, {Environment.ProcessorCount} cores, downloads written to {DownloadRoot}\n" + sb);
            Console.WriteLine($"(also written to {file})");
        }

        /// <summary>
        /// The PowerShell pinned in .config/dotnet-tools.json, as an executable: out/tools/pwsh starts it with dotnet
        /// directly (no `dotnet tool run` in the timed path). Null when it cannot be restored.
        /// </summary>
        private static string PinnedPwsh()
        {
            var root = FindRoot();
            try
            {
                Run("dotnet", "tool", "restore", "--tool-manifest", Path.Combine(root, ".config", "dotnet-tools.json"));
                var home = RunIn(root, "dotnet", "tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-Command", "$PSHOME").Trim();
                var shim = Path.Combine(root, "out", "tools", OperatingSystem.IsWindows() ? "pwsh.cmd" : "pwsh");
                Directory.CreateDirectory(Path.GetDirectoryName(shim));
                var dll = Path.Combine(home, "pwsh.dll");
                if (OperatingSystem.IsWindows()) File.WriteAllText(shim, $"@\"dotnet\" \"{dll}\" %*\r\n");
                else
                {
                    File.WriteAllText(shim, $"#!/bin/sh\nexec dotnet \"{dll}\" \"$@\"");
                    File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                }
                return shim;
            }
            catch (InvalidOperationException) { return null; }
        }

        private static string RunIn(string directory, string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using (var p = Process.Start(psi))
            {
                var stderr = p.StandardError.ReadToEndAsync();
                var stdout = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException($"{file} exited {p.ExitCode}: {stdout} {stderr.Result}");
                return stdout;
            }
        }

        internal static string Which(string name) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

        private static string FindRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SoraPS.sln"))) return dir.FullName;
            return Directory.GetCurrentDirectory();
        }
    }

    /// <summary>The emulator in its own process, so its work is not counted as the client's.</summary>
    internal sealed class Emulator : IDisposable
    {
        private readonly Process _process;
        public string BaseUri { get; }

        private Emulator(Process p, string uri)
        {
            _process = p;
            BaseUri = uri;
        }

        public static Emulator Start(params string[] args)
        {
            var dll = Path.Combine(Program.Root, "tools", "SoraPS.Emulator", "bin", "Release", "net10.0", "SoraPS.Emulator.dll");
            if (!File.Exists(dll)) dll = Directory.GetFiles(Path.Combine(Program.Root, "tools", "SoraPS.Emulator", "bin"), "SoraPS.Emulator.dll", SearchOption.AllDirectories).First();
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(dll);
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add("--until-stdin-closes");
            var p = Process.Start(psi);
            _ = p.StandardError.ReadToEndAsync();
            return new Emulator(p, p.StandardOutput.ReadLine());
        }

        public SoraClient Client(string dialect, int concurrency = 4)
        {
            var prefix = dialect == "OpenAI" ? "openai" : "unified";
            var profile = new SoraProfile { Name = "bench", Dialect = dialect, BaseUri = new Uri(BaseUri + "/" + prefix), MaxConcurrency = concurrency };
            return new SoraClient(profile, null, null, _ => new ApiCredential("emulator-key", "bench"));
        }

        public async Task<(SoraClient, SoraTask)> FinishedTask(string dialect)
        {
            var client = Client(dialect);
            var task = await client.SubmitAsync(client.Validate(new VideoRequest { Prompt = "benchmark" }), CancellationToken.None);
            while (!task.IsTerminal)
            {
                await Task.Delay(100);
                await client.RefreshAsync(task, CancellationToken.None);
            }
            return (client, task);
        }

        public async Task<List<(string Id, long Completed, int Polls)>> Tasks()
        {
            using (var http = new HttpClient())
            {
                var json = await http.GetStringAsync(BaseUri + "/_emulator/tasks");
                using (var doc = JsonDocument.Parse(json))
                    return doc.RootElement.EnumerateArray().Select(e => (e.GetProperty("id").GetString(), e.GetProperty("completed").GetInt64(), e.GetProperty("polls").GetInt32())).ToList();
            }
        }

        public void Dispose()
        {
            try
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5000)) _process.Kill();
            }
            catch (InvalidOperationException) { }
            _process.Dispose();
        }
    }

    internal static class Memory
    {
        /// <summary>Resident set size now (Linux: VmRSS), else the working set.</summary>
        public static long Rss() => Read("VmRSS:") ?? Process.GetCurrentProcess().WorkingSet64;

        /// <summary>Peak resident set size of this process (Linux: VmHWM), else the peak working set.</summary>
        public static long PeakRss() => Read("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64;

        private static long? Read(string key)
        {
            const string status = "/proc/self/status";
            if (!File.Exists(status)) return null;
            var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            if (line == null) return null;
            var kb = long.Parse(new string(line.Where(char.IsDigit).ToArray()), CultureInfo.InvariantCulture);
            return kb * 1024;
        }
    }
}
