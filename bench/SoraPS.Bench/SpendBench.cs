using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using SoraPS.Core.Budget;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;

namespace SoraPS.Bench
{
    /// <summary>
    /// Budgets on a year of automation (the journal of <see cref="JournalBench"/>: 100,000 tasks, about 500,000
    /// lines): the first budget check of a fresh process (it reads the current month), a check after one more
    /// submission (it reads only the new line), and Get-SoraSpend over the whole year, in Core and in pwsh.
    /// </summary>
    internal static class SpendBench
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static IEnumerable<string[]> Run(string pwsh, bool quick)
        {
            var tasks = quick ? 20000 : 100000;
            var dir = Path.Combine(Path.GetTempPath(), "soraps-bench-spend-" + Guid.NewGuid().ToString("N")[..6]);
            var rows = new List<string[]>();
            try
            {
                var (lines, _, _) = JournalBench.Build(Path.Combine(dir, "journal"), tasks);
                var what = $"Spend {tasks / 1000}k tasks / {lines / 1000}k lines";
                foreach (var (query, label) in new[] { ("check", "budget check: first in a process / next"), ("year", "Core Get-SoraSpend, one year by day") })
                {
                    var runs = new List<string>();
                    for (var i = 0; i < 3; i++)
                        runs.Add(Program.Run("dotnet", typeof(SpendBench).Assembly.Location, "--child-spend", Path.Combine(dir, "journal"), query)
                            .Split('\n').Last(l => l.StartsWith("RESULT", StringComparison.Ordinal)).Substring(7).Trim());
                    rows.Add(new[] { $"{what}: {label}", string.Join(" | ", runs), "", "", "" });
                }
                if (pwsh != null)
                {
                    var module = Path.Combine(Program.Root, "out", "SoraPS", "SoraPS.psd1");
                    var script = $"Import-Module '{module}'; $null = Get-SoraProfile; $w = [Diagnostics.Stopwatch]::StartNew(); " +
                                 "$n = @(Get-SoraSpend -Since (Get-Date).AddYears(-1) -By Day).Count; 'RESULT {0:0.000} s ({1} days)' -f $w.Elapsed.TotalSeconds, $n";
                    var output = Program.RunWithEnv(pwsh, new Dictionary<string, string> { ["SORAPS_CONFIG_HOME"] = dir, ["POWERSHELL_TELEMETRY_OPTOUT"] = "1" },
                        "-NoProfile", "-NonInteractive", "-Command", script);
                    rows.Add(new[] { $"{what}: Get-SoraSpend -Since (Get-Date).AddYears(-1) (pwsh)", output.Split('\n').Last(l => l.StartsWith("RESULT", StringComparison.Ordinal)).Substring(7).Trim(), "", "", "" });
                }
            }
            finally
            {
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
            return rows;
        }

        /// <summary>Runs one measurement on the journal in this (fresh) process.</summary>
        public static int Child(string[] args)
        {
            var journal = new TaskJournal(args[1]);
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var w = Stopwatch.StartNew();
            string Cpu() { process.Refresh(); return string.Format(Inv, "{0:0.000} s CPU", (process.TotalProcessorTime - cpu0).TotalSeconds); }
            if (args[2] == "check")
            {
                var profile = new SoraProfile { Name = "openai", Dialect = "OpenAI", MonthlyBudget = 1000000m };
                var first = BudgetGuard.SpentBy(journal, profile, DateTimeOffset.UtcNow);
                var t1 = w.Elapsed.TotalSeconds;
                var c1 = Cpu();
                journal.MarkUnknown("sub-bench", "openai", "OpenAI", "Unknown", "SubmissionOutcomeUnknown", "bench");
                w.Restart();
                BudgetGuard.SpentBy(journal, profile, DateTimeOffset.UtcNow);
                var t2 = w.Elapsed.TotalSeconds;
                Console.WriteLine(string.Format(Inv, "RESULT {0:0.000} s ({3}) / {1:0.0000} s (month so far: {2:0.00} USD)", t1, t2, first.Month, c1));
                return 0;
            }
            var groups = SpendReport.Read(journal, SpendGrouping.Day, since: DateTimeOffset.UtcNow.AddYears(-1));
            Console.WriteLine(string.Format(Inv, "RESULT {0:0.000} s ({3}; {1} days, {2} tasks)", w.Elapsed.TotalSeconds, groups.Count, groups.Sum(g => g.Count), Cpu()));
            return 0;
        }
    }
}
