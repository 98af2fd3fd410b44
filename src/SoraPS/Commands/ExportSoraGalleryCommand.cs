using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Batch;
using SoraPS.Core.Dialects;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>
    /// Export-SoraGallery: one self-contained HTML page with a card per task (video, prompt, model, duration, size,
    /// cost, status, and the error of a failure) and totals at the top; from tasks piped in or a folder of saved
    /// videos and their sidecars.
    /// </summary>
    [Cmdlet(VerbsData.Export, "SoraGallery", DefaultParameterSetName = TaskSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportSoraGalleryCommand : SoraCmdlet
    {
        private const string TaskSet = "Task";
        private const string FolderSet = "Folder";
        private readonly List<SoraTask> _tasks = new List<SoraTask>();

        /// <summary>Tasks (from New-SoraVideo, Wait-SoraTask, Get-SoraTask); saved videos are found through SavedTo.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TaskSet)]
        [AllowNull]
        public SoraTask?[]? InputObject { get; set; }

        /// <summary>A folder of saved videos and their sidecars (sub-folders included).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = FolderSet)]
        public string? Path { get; set; }

        /// <summary>The page to write: default index.html in the folder (-Path), or beside the first saved video, else in the current folder.</summary>
        [Parameter]
        public string? OutFile { get; set; }

        /// <summary>The page's title.</summary>
        [Parameter]
        public string? Title { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            foreach (var t in InputObject) if (t != null) _tasks.Add(t);
        }

        protected override void EndProcessing()
        {
            IReadOnlyList<GalleryItem> items;
            string page;
            try
            {
                if (ParameterSetName == FolderSet)
                {
                    var folder = ProviderPaths.FileSystemPath(this, Path!, literal: false, nameof(Path));
                    if (!Directory.Exists(folder))
                        throw new SoraValidationException("FolderNotFound", "Path", $"The folder '{folder}' does not exist.") { Target = Path };
                    items = SoraGallery.ReadFolder(folder);
                    page = PagePath(folder);
                }
                else
                {
                    items = FromTasks();
                    var first = _tasks.Select(t => t.SavedTo).FirstOrDefault(p => p != null && File.Exists(p));
                    page = PagePath(first != null ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(first)) : SessionState.Path.CurrentFileSystemLocation.ProviderPath);
                }
            }
            catch (SoraException e)
            {
                WriteSoraError(e, e.Target);
                return;
            }
            if (!ShouldProcess(page, $"Write a gallery of {items.Count} tasks")) return;
            try
            {
                SoraGallery.Write(items, page, Title);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteSoraError(new SoraException("GalleryNotWritten", SoraErrorKind.Permission, $"The gallery '{page}' could not be written ({e.Message}).", e) { Target = page }, page);
                return;
            }
            WriteObject(new FileInfo(page));
        }

        private string PagePath(string folder) =>
            string.IsNullOrEmpty(OutFile) ? System.IO.Path.Combine(folder, "index.html") : ProviderPaths.FileSystemPath(this, OutFile!, literal: true, nameof(OutFile));

        /// <summary>The tasks' cards; costs and submission details of tasks without a sidecar come from one read of the journal.</summary>
        private IReadOnlyList<GalleryItem> FromTasks()
        {
            Dictionary<string, JournalEntry>? entries = null;
            var needJournal = _tasks.Any(t => t.SavedTo == null || !File.Exists(VideoSidecar.PathFor(t.SavedTo)));
            if (needJournal)
            {
                try
                {
                    var since = _tasks.Select(t => t.CreatedAt ?? t.RetrievedAt).Where(d => d.HasValue).Select(d => d!.Value).DefaultIfEmpty(DateTimeOffset.UtcNow).Min().AddDays(-1);
                    entries = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
                    foreach (var e in new TaskJournal { Log = Log }.Read(new JournalFilter { Since = since }))
                        if (!entries.ContainsKey(e.Id)) entries[e.Id] = e;
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    WriteWarning($"The task journal could not be read ({e.Message}); the gallery shows what the tasks themselves carry.");
                }
            }
            var items = new List<GalleryItem>(_tasks.Count);
            foreach (var t in _tasks)
            {
                JournalEntry? entry = null;
                entries?.TryGetValue(t.Id, out entry);
                SoraDialect? dialect = null;
                try { dialect = t.Dialect == null ? null : DialectRegistry.Get(t.Dialect); }
                catch (SoraException) { }
                items.Add(GalleryItem.FromTask(t, entry, dialect));
            }
            return items;
        }
    }
}
