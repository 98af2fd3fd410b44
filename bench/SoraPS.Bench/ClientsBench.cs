using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;

namespace SoraPS.Bench
{
    /// <summary>
    /// SoraPS against the clients users would use instead, on the OpenAI shape with openai-poll-after-ms 500:
    /// openai-node (bench/node, installed with npm ci), and, when their copies are given, PSOpenAI
    /// (--psopenai PATH/PSOpenAI.psd1) and an earlier SoraPS (--before PATH/SoraPS.psd1). Requests, polls and
    /// detection delays are counted at the emulator, the same way for every client.
    /// </summary>
    internal static class ClientsBench
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
        private const string PollAfterMs = "500";

        private sealed class Client
        {
            public string Name;
            /// <summary>Runs a batch against the emulator's base URI into a folder; returns the seconds it reports.</summary>
            public Func<string, int, string, double> Batch;
            /// <summary>Runs the whole process for one prompt; the caller times it.</summary>
            public Action<string, string> Job;
        }

        /// <param name="others">Other builds of the module to measure alongside (label, path of SoraPS.psd1).</param>
        public static IEnumerable<string[]> Run(string pwsh, bool quick, IList<(string Label, string Path)> others, string psopenai)
        {
            var rows = new List<string[]>();
            var node = NodeClient();
            if (node == null) rows.Add(new[] { "Clients (openai-node)", "skipped: node/npm not found or npm ci failed", "", "", "" });
            var clients = new List<Client>();
            var config = new List<string>();
            try
            {
                if (pwsh != null)
                {
                    clients.Add(SoraClientFor("SoraPS", pwsh, Path.Combine(Program.Root, "out", "SoraPS", "SoraPS.psd1"), config));
                    foreach (var (label, path) in others) clients.Add(SoraClientFor(label, pwsh, Path.GetFullPath(path), config));
                }
                if (node != null) clients.Add(node);
                Batch(rows, clients, quick);
                var jobs = new List<Client>(clients);
                if (pwsh != null && psopenai != null) jobs.Add(PSOpenAIClient(pwsh, Path.GetFullPath(psopenai)));
                Job(rows, jobs, pwsh, quick);
            }
            finally
            {
                foreach (var c in config) try { Directory.Delete(c, true); } catch (IOException) { }
            }
            return rows;
        }

        // ------------------------------------------------------------ 200 prompts to files

        private static void Batch(List<string[]> rows, List<Client> clients, bool quick)
        {
            var count = quick ? 50 : 200;
            var reps = quick ? 1 : 2;
            var results = clients.ToDictionary(c => c.Name, c => new List<Stats>());
            for (var r = 0; r < reps; r++)
            {
                for (var k = 0; k < clients.Count; k++)
                {
                    var c = clients[(k + r) % clients.Count];
                    using (var emu = Emulator.Start("--task-seconds", "10", "--poll-after-ms", PollAfterMs))
                    {
                        var dir = Path.Combine(Program.DownloadRoot, "soraps-bench-" + Guid.NewGuid().ToString("N")[..6]);
                        Directory.CreateDirectory(dir);
                        try
                        {
                            var seconds = c.Batch(emu.BaseUri, count, dir);
                            var files = Directory.GetFiles(dir, "*.mp4").Length;
                            if (files != count) throw new InvalidOperationException($"{c.Name} saved {files} of {count} videos");
                            results[c.Name].Add(Measure(emu, seconds));
                        }
                        finally
                        {
                            Directory.Delete(dir, true);
                        }
                    }
                }
            }
            var nodeBest = results.TryGetValue("openai-node", out var n) ? n.OrderBy(x => x.Seconds).First() : null;
            foreach (var c in clients)
            {
                var best = results[c.Name].OrderBy(x => x.Seconds).First();
                var isNode = c.Name == "openai-node";
                rows.Add(new[]
                {
                    $"{count} prompts of 10 s tasks to {count} MP4 files: {c.Name}" + (isNode ? " (Promise.all)" : " (New-SoraVideo | Wait-SoraTask | Save-SoraVideo, default settings)"),
                    $"{best.Seconds:0.00} s, {best.Requests} requests ({best.PollsPerTask:0.0} polls/task)",
                    $"detection delay mean {best.MeanDelay:0.00} s, max {best.MaxDelay:0.00} s",
                    isNode || nodeBest == null ? (isNode ? "1.00x (reference)" : "")
                        : $"{best.Seconds / nodeBest.Seconds:0.00}x openai-node's time (target <= 1.05x), {(double)best.Requests / nodeBest.Requests:0.00}x its requests (target <= 0.5x)",
                    reps > 1 ? $"best of {reps}; other: {string.Join(", ", results[c.Name].Where(x => x != best).Select(x => x.Seconds.ToString("0.00", Inv) + " s"))}" : "",
                });
            }
        }

        private sealed class Stats
        {
            public double Seconds;
            public int Requests;
            public double PollsPerTask;
            public double MeanDelay;
            public double MaxDelay;
        }

        /// <summary>What the emulator saw: every request, and for each task the delay from completion to the first poll after it.</summary>
        private static Stats Measure(Emulator emu, double seconds)
        {
            using (var http = new HttpClient())
            using (var reqs = JsonDocument.Parse(http.GetStringAsync(emu.BaseUri + "/_emulator/requests").Result))
            {
                var tasks = emu.Tasks().Result;
                var all = reqs.RootElement.EnumerateArray()
                    .Select(e => (Method: e.GetProperty("method").GetString(), Path: e.GetProperty("path").GetString(), At: e.GetProperty("at").GetInt64()))
                    .Where(x => !x.Path.StartsWith("/_emulator", StringComparison.Ordinal)).ToList();
                var polls = all.Where(x => x.Method == "GET" && !x.Path.EndsWith("/content", StringComparison.Ordinal))
                    .GroupBy(x => x.Path.Substring(x.Path.LastIndexOf('/') + 1)).ToDictionary(g => g.Key, g => g.Select(x => x.At).OrderBy(a => a).ToList());
                var delays = new List<double>();
                foreach (var t in tasks)
                    if (polls.TryGetValue(t.Id, out var at) && at.Any(a => a >= t.Completed))
                        delays.Add((at.First(a => a >= t.Completed) - t.Completed) / 1000.0);
                return new Stats
                {
                    Seconds = seconds,
                    Requests = all.Count,
                    PollsPerTask = tasks.Count == 0 ? 0 : polls.Values.Sum(p => p.Count) / (double)tasks.Count,
                    MeanDelay = delays.Count == 0 ? double.NaN : delays.Average(),
                    MaxDelay = delays.Count == 0 ? double.NaN : delays.Max(),
                };
            }
        }

        // ------------------------------------------------------------ a scheduled job: a fresh process, one prompt

        private static void Job(List<string[]> rows, List<Client> clients, string pwsh, bool quick)
        {
            var reps = quick ? 3 : 7;
            var times = clients.ToDictionary(c => c.Name, c => new List<double>());
            var bare = new List<double>();
            using (var emu = Emulator.Start("--task-seconds", "2", "--poll-after-ms", PollAfterMs))
            {
                var dir = Path.Combine(Program.DownloadRoot, "soraps-bench-" + Guid.NewGuid().ToString("N")[..6]);
                Directory.CreateDirectory(dir);
                try
                {
                    var steps = new List<Action>();
                    if (pwsh != null)
                        steps.Add(() =>
                        {
                            var w = Stopwatch.StartNew();
                            Program.Run(pwsh, "-NoProfile", "-NonInteractive", "-Command", "1");
                            bare.Add(w.Elapsed.TotalSeconds);
                        });
                    foreach (var c in clients)
                    {
                        var client = c;
                        steps.Add(() =>
                        {
                            var w = Stopwatch.StartNew();
                            client.Job(emu.BaseUri, dir);
                            times[client.Name].Add(w.Elapsed.TotalSeconds);
                            foreach (var f in Directory.GetFiles(dir)) File.Delete(f);
                        });
                    }
                    for (var r = 0; r < reps; r++)
                        for (var k = 0; k < steps.Count; k++)
                            steps[(k + r) % steps.Count]();
                }
                finally
                {
                    Directory.Delete(dir, true);
                }
            }
            double Median(List<double> x) => x.OrderBy(v => v).ElementAt(x.Count / 2);
            var pwshBare = bare.Count > 0 ? Median(bare) : double.NaN;
            var nodeTime = times.TryGetValue("openai-node", out var nt) ? Median(nt) : double.NaN;
            foreach (var c in clients)
            {
                var t = Median(times[c.Name]);
                var isPwsh = c.Name != "openai-node";
                var own = isPwsh ? t - pwshBare : t;
                rows.Add(new[]
                {
                    $"Scheduled job (fresh process, 1 prompt of 2 s, to the file): {c.Name}",
                    $"{t:0.00} s" + (isPwsh ? $" ({own:0.00} s beyond `pwsh -NoProfile -c 1`, {pwshBare:0.00} s)" : ""),
                    $"median of {reps}",
                    c.Name == "openai-node" ? "1.00x (reference)" : double.IsNaN(nodeTime) ? "" :
                        $"{own / nodeTime:0.00}x openai-node's process" + (c.Name == "SoraPS" ? " (target <= 1.1x)" : "") + $"; whole process {t / nodeTime:0.00}x",
                    "",
                });
            }
        }

        // ------------------------------------------------------------ the clients

        private static Client SoraClientFor(string name, string pwsh, string module, List<string> configs)
        {
            // A profile registered beforehand, as a scheduled job finds it: OpenAI dialect, default settings.
            var config = Path.Combine(Path.GetTempPath(), "soraps-bench-config-" + Guid.NewGuid().ToString("N")[..6]);
            configs.Add(config);
            var env = new Dictionary<string, string> { ["SORAPS_CONFIG_HOME"] = config, ["SORAPS_BENCH_KEY"] = "emulator-key", ["POWERSHELL_TELEMETRY_OPTOUT"] = "1" };
            string registered = null;
            void Register(string baseUri)
            {
                if (registered == baseUri) return;
                Program.RunWithEnv(pwsh, env, "-NoProfile", "-NonInteractive", "-Command",
                    $"$ErrorActionPreference = 'Stop'; Import-Module '{module}'; Register-SoraProfile -Name bench -Dialect OpenAI -BaseUri '{baseUri}/openai' -ApiKeyEnvironmentVariable SORAPS_BENCH_KEY -Default -Force | Out-Null");
                registered = baseUri;
            }
            return new Client
            {
                Name = name,
                Batch = (baseUri, count, dir) =>
                {
                    Register(baseUri);
                    var prompts = Path.Combine(dir, "prompts.txt");
                    File.WriteAllLines(prompts, Enumerable.Range(1, count).Select(i => "bench prompt " + i));
                    var output = Program.RunWithEnv(pwsh, env, "-NoProfile", "-NonInteractive", "-Command", $@"
$ErrorActionPreference = 'Stop'
Import-Module '{module}'
$w = [Diagnostics.Stopwatch]::StartNew()
Get-Content '{prompts}' | New-SoraVideo | Wait-SoraTask | Save-SoraVideo -Path '{dir}' | Out-Null
'RESULT ' + $w.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture)");
                    File.Delete(prompts);
                    return Result(output);
                },
                Job = (baseUri, dir) =>
                {
                    Register(baseUri);
                    Program.RunWithEnv(pwsh, env, "-NoProfile", "-NonInteractive", "-Command",
                        $"Import-Module '{module}'; 'a scheduled prompt' | New-SoraVideo | Wait-SoraTask | Save-SoraVideo -Path '{dir}' | Out-Null");
                },
            };
        }

        private static Client PSOpenAIClient(string pwsh, string module)
        {
            var env = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "emulator-key", ["POWERSHELL_TELEMETRY_OPTOUT"] = "1" };
            return new Client
            {
                Name = "PSOpenAI",
                Job = (baseUri, dir) => Program.RunWithEnv(pwsh, env, "-NoProfile", "-NonInteractive", "-Command",
                    $"Import-Module '{module}'; New-Video -Model sora-2 -Prompt 'a scheduled prompt' -ApiBase '{baseUri}/openai/v1' -WarningAction SilentlyContinue | Get-VideoContent -OutFile '{Path.Combine(dir, "video.mp4")}' -WaitForCompletion -ApiBase '{baseUri}/openai/v1'"),
            };
        }

        /// <summary>openai-node from bench/node (npm ci when its node_modules is missing); null without node and npm.</summary>
        private static Client NodeClient()
        {
            var node = Program.Which("node");
            var npm = Program.Which("npm");
            var folder = Path.Combine(Program.Root, "bench", "node");
            if (node == null) return null;
            if (!File.Exists(Path.Combine(folder, "node_modules", "openai", "package.json")))
            {
                if (npm == null) return null;
                try
                {
                    var psi = new ProcessStartInfo(npm) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                    foreach (var a in new[] { "ci", "--no-audit", "--no-fund" }) psi.ArgumentList.Add(a);
                    using (var p = Process.Start(psi))
                    {
                        var err = p.StandardError.ReadToEndAsync();
                        p.StandardOutput.ReadToEnd();
                        p.WaitForExit();
                        if (p.ExitCode != 0) { Console.Error.WriteLine("npm ci failed: " + err.Result); return null; }
                    }
                }
                catch (System.ComponentModel.Win32Exception) { return null; }
            }
            var script = Path.Combine(folder, "batch.mjs");
            var env = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "emulator-key" };
            return new Client
            {
                Name = "openai-node",
                Batch = (baseUri, count, dir) => Result(Program.RunWithEnv(node, env, script, baseUri + "/openai/v1", count.ToString(Inv), dir)),
                Job = (baseUri, dir) => Program.RunWithEnv(node, env, script, baseUri + "/openai/v1", "1", dir),
            };
        }

        private static double Result(string output) =>
            double.Parse(output.Split('\n').Last(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ')[1], Inv);
    }
}
