using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SoraPS.Core;
using SoraPS.Core.Downloads;
using SoraPS.Core.Http;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;
using SoraPS.Core.Waiting;
using SoraPS.Emulator;

namespace SoraPS.Demo
{
    /// <summary>
    /// The demo: starts the provider emulator and runs the SoraPS pipeline on sample prompts,
    /// in the real pwsh pinned in .config/dotnet-tools.json (restored here with `dotnet tool restore`) with
    /// the built module. `--core-only` runs the same flow through SoraPS.Core instead, without PowerShell.
    /// </summary>
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            var root = FindRoot();
            var output = Path.GetFullPath(args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? Path.Combine(root, "demo-videos"));
            var seconds = double.Parse(args.SkipWhile(a => a != "--task-seconds").Skip(1).FirstOrDefault() ?? "3", System.Globalization.CultureInfo.InvariantCulture);
            var here = Path.Combine(root, "tools", "SoraPS.Demo");
            await using (var emulator = await SoraEmulator.StartAsync(new EmulatorOptions { TaskDuration = TimeSpan.FromSeconds(seconds) }))
            {
                var baseUri = emulator.BaseUri.AbsoluteUri.TrimEnd('/');
                Console.WriteLine($"Provider emulator on {baseUri} (OpenAI at /openai, UnifiedTask at /unified); each task takes {seconds} s.");
                if (args.Contains("--core-only"))
                {
                    Console.WriteLine("--core-only: running the pipeline through SoraPS.Core, the library beneath the cmdlets, without PowerShell.");
                    return await RunWithCore(emulator, here, output);
                }
                // The PowerShell pinned in the repository's tool manifest, whatever is (or is not) on PATH.
                var restore = await RunAsync(root, "dotnet", "tool", "restore");
                if (restore != 0)
                {
                    Console.Error.WriteLine("dotnet tool restore failed: the pinned PowerShell (.config/dotnet-tools.json) is not available. Run with --core-only to use SoraPS.Core alone.");
                    return restore;
                }
                Console.WriteLine($"Running the pipeline in the pinned pwsh (dotnet tool run pwsh) with the built module {Path.Combine(root, "out", "SoraPS")}");
                return await RunAsync(root, "dotnet", "tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-File", Path.Combine(here, "demo.ps1"),
                    "-BaseUri", baseUri, "-OutputPath", output, "-ModulePath", Path.Combine(root, "out", "SoraPS", "SoraPS.psd1"));
            }
        }

        private static async Task<int> RunAsync(string workingDirectory, string file, params string[] arguments)
        {
            var psi = new ProcessStartInfo(file) { UseShellExecute = false, WorkingDirectory = workingDirectory };
            foreach (var a in arguments) psi.ArgumentList.Add(a);
            psi.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
            psi.Environment["DOTNET_NOLOGO"] = "1";
            using (var p = Process.Start(psi))
            {
                await p.WaitForExitAsync();
                return p.ExitCode;
            }
        }

        private static async Task<int> RunWithCore(SoraEmulator emulator, string here, string output)
        {
            ISoraLog log = NullLog.Instance;
            Func<SoraProfile, ApiCredential> key = _ => new ApiCredential(emulator.Options.ApiKey, "demo");
            var clients = new Dictionary<string, SoraClient>(StringComparer.OrdinalIgnoreCase)
            {
                ["demo-openai"] = new SoraClient(new SoraProfile { Name = "demo-openai", Dialect = "OpenAI", BaseUri = emulator.DialectBase("OpenAI") }, log, null, key),
                ["demo-unified"] = new SoraClient(new SoraProfile { Name = "demo-unified", Dialect = "UnifiedTask", BaseUri = emulator.DialectBase("UnifiedTask") }, log, null, key),
            };
            var requests = File.ReadAllLines(Path.Combine(here, "prompts.txt")).Where(l => l.Trim().Length > 0)
                .Select(p => ("demo-openai", new VideoRequest { Prompt = p })).ToList();
            foreach (var row in File.ReadAllLines(Path.Combine(here, "jobs.csv")).Skip(1).Where(l => l.Length > 0))
            {
                var cells = SplitCsv(row);
                requests.Add((cells[1], new VideoRequest
                {
                    Prompt = cells[0],
                    Model = cells[2],
                    Duration = int.Parse(cells[3], System.Globalization.CultureInfo.InvariantCulture),
                    AspectRatio = cells[4],
                    Resolution = cells[5].Length == 0 ? null : cells[5],
                }));
            }
            var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token;
            using (var waiter = new TaskWaiter(name => clients[name], new WaitOptions { MinInterval = TimeSpan.FromMilliseconds(500) }, cancel))
            {
                foreach (var (profile, request) in requests)
                {
                    var client = clients[profile];
                    var task = await client.SubmitAsync(client.Validate(request), cancel);
                    Console.WriteLine($"submitted {task.Id,-44} {task.Dialect,-12} {task.Model,-20} {task.Duration,3}s  {Short(task.Prompt)}");
                    waiter.Add(task);
                }
                var saved = 0;
                while (waiter.Outstanding > 0)
                {
                    if (!waiter.TryTake(TimeSpan.FromSeconds(1), out var e) || e.Kind == WaitEventKind.Progress) continue;
                    if (e.Task.Status != SoraTaskStatus.Succeeded)
                    {
                        Console.Error.WriteLine($"failed    {e.Task.Id}: {e.Error?.Message ?? e.Task.Error?.ToString()}");
                        continue;
                    }
                    var path = Path.Combine(output, e.Task.Id + ".mp4");
                    var result = await clients[e.Task.Profile].DownloadAsync(e.Task, path, new DownloadOptions { Overwrite = true }, null, cancel);
                    saved++;
                    Console.WriteLine($"saved     {Path.GetFileName(result.Path),-48} {result.Bytes,8:N0} bytes");
                }
                Console.WriteLine($"Saved {saved} videos to {output}");
                return saved == requests.Count ? 0 : 1;
            }
        }

        private static string Short(string s) => s.Length > 40 ? s.Substring(0, 39) + "…" : s;

        private static List<string> SplitCsv(string line)
        {
            var cells = new List<string>();
            var cur = new System.Text.StringBuilder();
            var quoted = false;
            foreach (var c in line)
            {
                if (c == '"') quoted = !quoted;
                else if (c == ',' && !quoted) { cells.Add(cur.ToString()); cur.Clear(); }
                else cur.Append(c);
            }
            cells.Add(cur.ToString());
            return cells;
        }

        private static string FindRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SoraPS.sln"))) return dir.FullName;
            return Directory.GetCurrentDirectory();
        }
    }
}
