using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Batch;
using SoraPS.Core.Dialects;
using SoraPS.Core.Downloads;
using SoraPS.Core.Journal;
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
        // -Path and -LiteralPath are sets of their own: the binder refuses both at once. Task and Id are the -Path sets.
        private const string TaskLiteralSet = "TaskLiteralPath";
        private const string IdLiteralSet = "IdLiteralPath";

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TaskSet)]
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TaskLiteralSet)]
        public override SoraTask?[]? InputObject { get; set; }

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = IdLiteralSet)]
        [Alias("TaskId", "task_id", "video_id")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(TaskIdCompleter))]
        public override string[]? Id { get; set; }

        /// <summary>The profile the ids belong to (a task object names its own).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdLiteralSet)]
        [Alias("ProfileName")]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public override string? Profile { get; set; }

        protected override bool TakesTaskObjects => ParameterSetName == TaskSet || ParameterSetName == TaskLiteralSet;

        private readonly HashSet<string> _written = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>A folder (created if missing), or a file name when saving a single task. Default: the current folder.</summary>
        [Parameter(Position = 1, ParameterSetName = TaskSet)]
        [Parameter(Position = 1, ParameterSetName = IdSet)]
        [Alias("OutFile", "Destination")]
        [SupportsWildcards]
        public string? Path { get; set; }

        /// <summary>As -Path, taken exactly as written: for names with wildcard characters such as [1].mp4.</summary>
        [Parameter(Mandatory = true, ParameterSetName = TaskLiteralSet)]
        [Parameter(Mandatory = true, ParameterSetName = IdLiteralSet)]
        [Alias("LP")]
        public string? LiteralPath { get; set; }

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
        public string? Variant { get; set; }

        /// <summary>high or low: the quality of the file to fetch, where the dialect offers a choice (AzureJobs).</summary>
        [Parameter]
        [ValidateSet("high", "low", IgnoreCase = true)]
        public string? Quality { get; set; }

        /// <summary>
        /// Write &lt;video&gt;.json next to each video: prompt, profile, model, duration, size, options, task id, times,
        /// costs and the file's SHA-256. -SkipExisting and -Force treat the video and its sidecar as one.
        /// </summary>
        [Parameter]
        public SwitchParameter Sidecar { get; set; }

        /// <summary>The command's time limit in seconds, waiting and downloading together (0: no limit).</summary>
        [Parameter]
        [ValidateRange(0, 604800)]
        public double TimeoutSec { get; set; }

        /// <summary>-TimeoutSec bounds reading a task given by id as well as the wait and the download.</summary>
        protected override DateTimeOffset? InputDeadline => DeadlineOf(TimeoutSec);

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
            // The same task given twice (piped twice, or as an object and by id) is saved once.
            var key = KeyOf(task);
            if (_saved.TryGetValue(key, out var already))
            {
                WriteWarning(already == null
                    ? $"Task {task.Id} (profile '{task.Profile}') was given to this command twice (piped twice, or as an object and by id); it is saved once."
                    : $"Task {task.Id} (profile '{task.Profile}') was given to this command twice (piped twice, or as an object and by id); its video is saved once, to '{already}'.");
                return;
            }
            _saved[key] = null;
            var count = DownloadVariant.IsDefault(Variant) ? task.VideoUris?.Length ?? 1 : 1;
            string? first = null;
            for (var output = 0; output < count; output++)
            {
                var saved = SaveOutput(task, output, first);
                if (saved == null) break;
                first = first ?? saved;
            }
            _saved[key] = first;
        }

        /// <summary>A task's identity in this command: its profile and id (one id may be two tasks on two profiles).</summary>
        private static string KeyOf(SoraTask task) => (task.Profile ?? "") + "\u0001" + task.Id;

        /// <summary>The tasks this command has saved (or is saving), with the file of each (null while none was chosen).</summary>
        private readonly Dictionary<string, string?> _saved = new Dictionary<string, string?>(StringComparer.Ordinal);

        /// <summary>Which task each file this command chose belongs to.</summary>
        private readonly Dictionary<string, SoraTask> _owners = new Dictionary<string, SoraTask>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Saves one of the task's videos (output 0: the first, named as for any task); returns its file, or null when nothing more can be saved.</summary>
        private string? SaveOutput(SoraTask task, int output, string? first)
        {
            string target;
            DownloadVariant variant;
            SoraClient client;
            try
            {
                client = ClientFor(task.Profile);
                variant = client.Dialect.Capabilities.Variant(Variant, client.Dialect.Name);
                client.Dialect.Capabilities.Quality(Quality, client.Dialect.Name);
                target = output == 0 || first == null ? TargetPath(task, variant)
                    : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(first) ?? "", System.IO.Path.GetFileNameWithoutExtension(first) + "-" + output.ToString(CultureInfo.InvariantCulture) + System.IO.Path.GetExtension(first));
            }
            catch (SoraException e)
            {
                WriteSoraError(e, task);
                return null;
            }
            // A name SoraPS chose takes the extension of what the server sends; a picture saved earlier may have another.
            var chosen = System.IO.Path.GetFileName(target) == SavePolicy.FileName(task, variant);
            if (chosen && !variant.IsVideo) target = MediaCheck.PictureOnDisk(target);
            if (_owners.TryGetValue(target, out var owner) && KeyOf(owner) != KeyOf(task))
            {
                // Two tasks, one file name (one id on two profiles, or ids that differ only in case): say so, not that a download is under way.
                WriteSoraError(new SoraException("FileNameCollision", SoraErrorKind.InvalidParameter,
                    $"Task {task.Id} (profile '{task.Profile}') would be saved as '{target}', the file this command chose for task {owner.Id} (profile '{owner.Profile}'): " +
                    $"their ids give one file name. The video of task {task.Id} (profile '{task.Profile}') was not saved; save it to another folder or under a name of its own.") { Target = task }, task);
                return null;
            }
            _owners[target] = task;
            var existing = SavePolicy.ForExisting(target, variant, Force, SkipExisting);
            if (existing == ExistingFile.Skip)
            {
                // With -Sidecar the video and its sidecar are one: a video left without its sidecar gets it now.
                if (Sidecar && variant.IsVideo && !File.Exists(VideoSidecar.PathFor(target)) && ShouldProcess(VideoSidecar.PathFor(target), $"Write the sidecar of task {task.Id}"))
                    WriteSidecar(client, task, target);
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
            StartDownload(task, client, variant, target, chosen, output);
            return target;
        }

        /// <summary>
        /// Downloads in the background (at most the profile's MaxParallelDownloads at once) with a bar per file;
        /// <paramref name="chosen"/>: SoraPS chose the name, so its extension follows what the server sends.
        /// </summary>
        private void StartDownload(SoraTask task, SoraClient client, DownloadVariant variant, string target, bool chosen, int output)
        {
            var activity = NextActivityId();
            IProgress<DownloadProgress> progress = Bars.Enabled ? new PostedProgress<DownloadProgress>(this, p => Bars.Write(() => DownloadRecord(activity, task, p))) : NoProgress<DownloadProgress>.Instance;
            var options = new DownloadOptions
            {
                Overwrite = Force,
                Variant = variant.Name,
                Quality = TextInput.OrNull(Quality)?.ToLowerInvariant(),
                VerifyMp4 = variant.IsVideo,
                NameFromContent = chosen,
                Output = output,
                Timeout = SoraPS.Core.Http.TimeLimit.Left(DeadlineOf(TimeoutSec)),
            };
            _written.Add(target);
            // One lane per profile, as wide as its MaxParallelDownloads (the client's download limit is the same).
            StartBackground("download " + client.Profile.Name, client.DownloadLimiter.Ceiling, null,
                ct => client.DownloadAsync(task, target, options, progress, ct),
                result =>
                {
                    Bars.Write(() => new ProgressRecord(activity, "Saving " + task.Id, "done") { RecordType = ProgressRecordType.Completed });
                    var left = task.ExpiresAt.HasValue ? task.ExpiresAt.Value - DateTimeOffset.UtcNow : (TimeSpan?)null;
                    WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Saved task {0} to {1} ({2:N0} bytes in {3:0.0} s){4}.",
                        task.Id, result.Path, result.Bytes, result.Elapsed.TotalSeconds,
                        left.HasValue && left.Value > TimeSpan.Zero ? string.Format(CultureInfo.InvariantCulture, "; the provider's link stays valid for {0:0.#} h more", left.Value.TotalHours) : ""));
                    if (Sidecar && variant.IsVideo && output == 0) WriteSidecar(client, task, result.Path);
                    if (PassThru) WriteObject(new FileInfo(result.Path));
                },
                e =>
                {
                    Bars.Write(() => new ProgressRecord(activity, "Saving " + task.Id, "failed") { RecordType = ProgressRecordType.Completed });
                    WriteSoraError(e, task);
                });
        }

        /// <summary>Writes the video's sidecar (atomically); a failure is the task's error, the video stays.</summary>
        private void WriteSidecar(SoraClient client, SoraTask task, string videoPath)
        {
            try
            {
                JournalEntry? entry = null;
                try { entry = EntryFor(task); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { WriteVerbose($"The journal could not be read for the sidecar of {task.Id}: {e.Message}"); }
                VideoSidecar.From(task, entry, client.Dialect, videoPath).Write(videoPath);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteSoraError(new SoraException("SidecarNotWritten", SoraErrorKind.Permission, $"The video of task {task.Id} was saved to '{videoPath}', but its sidecar could not be written ({e.Message}).", e) { Target = task }, task);
            }
        }

        /// <summary>
        /// The journal's entry of a task (what it cost, when and with which options it was submitted): the journal is
        /// read once from the task's submission on and kept, and read again only for a task it did not hold yet.
        /// </summary>
        private JournalEntry? EntryFor(SoraTask task)
        {
            var key = (task.Profile ?? "") + "\u0001" + task.Id;
            if (_entries.TryGetValue(key, out var known) || _notJournaled.Contains(key)) return known;
            var since = (task.CreatedAt ?? DateTimeOffset.UtcNow).AddDays(-1);
            if (_entriesSince == null || since < _entriesSince) _entriesSince = since;
            foreach (var e in Journal.Read(new JournalFilter { Since = _entriesSince }))
                _entries[(e.Profile ?? "") + "\u0001" + e.Id] = e;
            if (_entries.TryGetValue(key, out known)) return known;
            _notJournaled.Add(key);
            return null;
        }

        private readonly Dictionary<string, JournalEntry> _entries = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
        private readonly HashSet<string> _notJournaled = new HashSet<string>(StringComparer.Ordinal);
        private DateTimeOffset? _entriesSince;

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
            if (given == null || given.Length == 0) return InFolder(SessionState.Path.CurrentFileSystemLocation.ProviderPath, task, variant);
            var resolved = _resolved ?? (_resolved = ProviderPaths.FileSystemPath(this, given, literal: LiteralPath != null, LiteralPath != null ? nameof(LiteralPath) : nameof(Path)));
            var target = SavePolicy.Target(resolved, given, task, variant, _written);
            return task.OutFile != null && target == System.IO.Path.Combine(resolved, SavePolicy.FileName(task, variant)) ? InFolder(resolved, task, variant) : target;
        }

        /// <summary>A task's file in a folder: the name its batch row gave (out), else its id; a row's name is used by one task only.</summary>
        private string InFolder(string folder, SoraTask task, DownloadVariant variant)
        {
            if (task.OutFile == null) return System.IO.Path.Combine(folder, SavePolicy.FileName(task, variant));
            var target = BatchRow.OutFileTarget(folder, task.OutFile, task);
            if (!variant.IsVideo)
                target = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(target), System.IO.Path.GetFileNameWithoutExtension(target) + "." + variant.Name + variant.Extension);
            if (_outFiles.TryGetValue(target, out var other) && other != task.Id)
                throw new SoraValidationException("OutFileTaken", "OutFile", $"Task {task.Id} and task {other} both name '{target}' as their file; the video of task {task.Id} was not saved.") { Target = task };
            _outFiles[target] = task.Id;
            return target;
        }

        private readonly Dictionary<string, string> _outFiles = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The destination, resolved once: wildcards must not match differently as files appear.</summary>
        private string? _resolved;
    }

    /// <summary>An IProgress that drops its reports (progress is hidden).</summary>
    internal sealed class NoProgress<T> : IProgress<T>
    {
        public static readonly NoProgress<T> Instance = new NoProgress<T>();

        public void Report(T value) { }
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
