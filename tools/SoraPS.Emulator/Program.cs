using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace SoraPS.Emulator
{
    public static class Program
    {
        /// <summary>
        /// dotnet run --project tools/SoraPS.Emulator -- [--port N] [--task-seconds S] [--api-key KEY]
        /// Prints the listening URL on its first line (tests read it), a banner naming every prefix it serves on stderr,
        /// then serves until stopped (Ctrl+C or stdin closed with --until-stdin-closes). The prefixes come from the dialect
        /// matrix (dialects.json): /openai (OpenAI), /unified (UnifiedTask), /v2task (V2Task), /onerouter (OneRouter),
        /// /soraweb (SoraWeb), /azure (AzureJobs), /azureopenai/openai (AzureOpenAI); and /cdn, /_emulator.
        /// </summary>
        public static async Task<int> Main(string[] args)
        {
            var options = new EmulatorOptions();
            var port = 0;
            var untilStdinCloses = false;
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException("Missing value after " + args[i]);
                switch (args[i])
                {
                    case "--port": port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--task-seconds": options.TaskDuration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--api-key": options.ApiKey = Next(); break;
                    case "--poll-after-ms": options.OpenAIPollAfterMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--until-stdin-closes": untilStdinCloses = true; break;
                    case "--video-bytes": options.SyntheticVideoBytes = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--submit-latency-ms": options.SubmitLatency = TimeSpan.FromMilliseconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--task-seconds-max": options.TaskDurationMax = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--video-size": options.VideoSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--distinct-videos": options.DistinctVideos = true; break;
                    case "--estimate-noise": options.EstimateNoise = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "-h": case "--help":
                        Console.WriteLine("SoraPS provider emulator: --port N  --task-seconds S  [--task-seconds-max S]  --api-key KEY  --poll-after-ms MS  --video-bytes N  --submit-latency-ms MS  --estimate-noise F  --video-size N  --distinct-videos  --until-stdin-closes");
                        return 0;
                    default:
                        Console.Error.WriteLine("Unknown argument " + args[i]);
                        return 2;
                }
            }
            await using (var emulator = await SoraEmulator.StartAsync(options, port))
            {
                Console.WriteLine(emulator.BaseUri.AbsoluteUri.TrimEnd('/'));
                Console.Out.Flush();
                Console.Error.WriteLine($"SoraPS emulator on {emulator.BaseUri}: {SoraEmulator.Prefixes()}; API key '{options.ApiKey}'; tasks take {options.TaskDuration.TotalSeconds:0.#} s.");
                var stop = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                Console.CancelKeyPress += (s, e) => { e.Cancel = true; stop.TrySetResult(true); };
                AppDomain.CurrentDomain.ProcessExit += (s, e) => stop.TrySetResult(true);
                if (untilStdinCloses)
                {
                    _ = Task.Run(() =>
                    {
                        while (Console.In.ReadLine() != null) { }
                        stop.TrySetResult(true);
                    });
                }
                await stop.Task;
            }
            return 0;
        }
    }
}
