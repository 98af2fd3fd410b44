using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>
    /// Save-SoraVideo: downloads finished videos (waiting first for tasks still running), streaming to a
    /// temporary file that is moved into place only when whole and verified.
    /// </summary>
    [Cmdlet(VerbsData.Save, "SoraVideo", DefaultParameterSetName = TaskSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class SaveSoraVideoCommand : TaskInputCommand
    {

        /// <summary>Started with the command: -TimeoutSec counts from here.</summary>
        private readonly System.Diagnostics.Stopwatch _elapsed = System.Diagnostics.Stopwatch.StartNew();

        private readonly HashSet<string> _written = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>A folder (created if missing), or a file name when saving a single task. Default: the current folder.</summary>
        [Parameter(Position = 1)]
        [Alias("OutFile", "Destination")]
        [SupportsWildcards]
        public string Path { get; set; }

        /// <summary>As -Path, taken exactly as written: for names with wildcard characters such as [1].mp4.</summary>
        [Parameter]
        [Alias("LP")]
        public string LiteralPath { get; set; }

        /// <summary>Overwrite an existing file.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Leave a video that is already there (a whole MP4 under the target name) and go on: for re-runs.</summary>
        [Parameter]
        public SwitchParameter SkipExisting { get; set; }

        /// <summary>Emit the saved file's FileInfo.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>video (default), or thumbnail / spritesheet where the dialect offers them.</summary>
        [Parameter]
        [ValidateSet("video", "thumbnail", "spritesheet", IgnoreCase = true)]
        public string Variant { get; set; }

        /// <summary>high or low: the quality of the file to fetch, where the dialect offers a choice (AzureJobs).</summary>
        [Parameter]
        [ValidateSet("high", "low", IgnoreCase = true)]
        public string Quality { get; set; }

        /// <summary>The command's time limit in seconds, waiting and downloading together (0: no limit).</summary>
        [Parameter]
        [ValidateRange(0, 604800)]
        public double TimeoutSec { get; set; }

        protected override void BeginProcessing()
        {
            if (Path != null && LiteralPath != null)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -Path or -LiteralPath, not both."), "PathAndLiteralPath", ErrorCategory.InvalidArgument, LiteralPath));
            base.BeginProcessing();
        }

        protected override void ProcessRecord()
        {
            ForEachInput(task =>
            {
                if (task.Status == SoraTaskStatus.Succeeded) SaveOne(task);
                else if (task.IsTerminal) WriteSoraError(new SoraTaskFailedException(task), task);
                else AddToWait(task, MakeWaitOptions(TimeoutSec, 0), SaveOne);
            });
            Pump(block: false);
        }

        protected override void EndProcessing()
        {
            Pump(block: true);
        }

        /// <summary>Saves the task's video; a task that made several (OpenRouter) saves each, the further ones as NAME-1.mp4, NAME-2.mp4 beside the first.</summary>
        private void SaveOne(SoraTask task)
        {
            var count = DownloadVariant.IsDefault(Variant) ? task.VideoUris?.Length ?? 1 : 1;
            string first = null;
            for (var output = 0; output < count; output++)
            {
                var saved = SaveOutput(task, output, first);
                if (saved == null) break;
                first = first ?? saved;
            }
        }

        private string SaveOutput(SoraTask task, int output, string first)
        {
            string target;
            DownloadVariant variant;
            SoraClient client;
            try
            {
                client = ClientFor(task.Profile);
                variant = client.Dialect.Capabilities.Variant(Variant, client.Dialect.Name);
                client.Dialect.Capabilities.Quality(Quality, client.Dialect.Name);
                target = output == 0 ? TargetPath(task, variant)
                    : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(first) ?? "", System.IO.Path.GetFileNameWithoutExtension(first) + "-" + output.ToString(CultureInfo.InvariantCulture) + System.IO.Path.GetExtension(first));
            }
            catch (SoraException e)
            {
                WriteSoraError(e, task);
                return null;
            }
            var existing = SavePolicy.ForExisting(target, variant, Force, SkipExisting);
            if (existing == ExistingFile.Skip)
            {
                WriteVerbose($"Skipped task {task.Id}: '{target}' is already there.");
                _written.Add(target);
                if (PassThru) WriteObject(new FileInfo(target));
                return target;
            }
            if (existing == ExistingFile.Refuse)
            {
                WriteSoraError(SavePolicy.Exists(target, task), task);
                return target;
            }
            var action = File.Exists(target) ? $"Overwrite with the video of task {task.Id}" : $"Save the video of task {task.Id}";
            if (!ShouldProcess(target, action)) return target;
            try
            {
                SavePolicy.EnsureWritableFolder(System.IO.Path.GetDirectoryName(target), task);
            }
            catch (SoraException e)
            {
                WriteSoraError(e, task);
                return target;
            }

            var activity = NextActivityId();
            var progress = Bars.Enabled ? new PostedProgress<DownloadProgress>(this, p => Bars.Write(() => DownloadRecord(activity, task, p))) : null;
            var options = new DownloadOptions
            {
                Overwrite = Force,
                Variant = variant.Name,
                Quality = string.IsNullOrEmpty(Quality) ? null : Quality.ToLowerInvariant(),
                VerifyMp4 = variant.IsVideo,
                Output = output,
                Timeout = TimeoutSec > 0 ? TimeSpan.FromTicks(Math.Max(0, TimeSpan.FromSeconds(TimeoutSec).Ticks - _elapsed.Elapsed.Ticks)) : (TimeSpan?)null,
            };
            _written.Add(target);
            StartBackground("download", MaxParallelDownloads, null,
                ct => client.DownloadAsync(task, target, options, progress, ct),
                result =>
                {
                    Bars.Write(() => new ProgressRecord(activity, "Saving " + task.Id, "done") { RecordType = ProgressRecordType.Completed });
                    var left = task.ExpiresAt.HasValue ? task.ExpiresAt.Value - DateTimeOffset.UtcNow : (TimeSpan?)null;
                    WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Saved task {0} to {1} ({2:N0} bytes in {3:0.0} s){4}.",
                        task.Id, result.Path, result.Bytes, result.Elapsed.TotalSeconds,
                        left.HasValue && left.Value > TimeSpan.Zero ? string.Format(CultureInfo.InvariantCulture, "; the provider's link stays valid for {0:0.#} h more", left.Value.TotalHours) : ""));
                    if (PassThru) WriteObject(new FileInfo(result.Path));
                },
                e =>
                {
                    Bars.Write(() => new ProgressRecord(activity, "Saving " + task.Id, "failed") { RecordType = ProgressRecordType.Completed });
                    WriteSoraError(e, task);
                });
            return target;
        }

        /// <summary>How many downloads run at once.</summary>
        private const int MaxParallelDownloads = 4;

        private static ProgressRecord DownloadRecord(int activity, SoraTask task, DownloadProgress p)
        {
            var status = p.TotalBytes.HasValue
                ? string.Format(CultureInfo.InvariantCulture, "{0:N1} of {1:N1} MB at {2:N1} MB/s", p.BytesReceived / 1048576.0, p.TotalBytes.Value / 1048576.0, p.BytesPerSecond / 1048576.0)
                : string.Format(CultureInfo.InvariantCulture, "{0:N1} MB at {1:N1} MB/s", p.BytesReceived / 1048576.0, p.BytesPerSecond / 1048576.0);
            return new ProgressRecord(activity, "Saving " + task.Id, status)
            {
                PercentComplete = p.Percent ?? -1,
            };
        }

        private string TargetPath(SoraTask task, DownloadVariant variant)
        {
            var given = LiteralPath ?? Path;
            if (string.IsNullOrEmpty(given)) return System.IO.Path.Combine(SessionState.Path.CurrentFileSystemLocation.ProviderPath, SavePolicy.FileName(task, variant));
            var resolved = _resolved ?? (_resolved = ProviderPaths.FileSystemPath(this, given, literal: LiteralPath != null, LiteralPath != null ? nameof(LiteralPath) : nameof(Path)));
            return SavePolicy.Target(resolved, given, task, variant, _written);
        }

        /// <summary>The destination, resolved once: wildcards must not match differently as files appear.</summary>
        private string _resolved;
    }

    /// <summary>An IProgress whose reports run on the pipeline thread.</summary>
    internal sealed class PostedProgress<T> : IProgress<T>
    {
        private readonly SoraCmdlet _cmdlet;
        private readonly Action<T> _write;

        public PostedProgress(SoraCmdlet cmdlet, Action<T> write)
        {
            _cmdlet = cmdlet;
            _write = write;
        }

        public void Report(T value) => _cmdlet.Post(() => _write(value));
    }
}
