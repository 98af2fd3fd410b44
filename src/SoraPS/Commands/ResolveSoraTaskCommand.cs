using System;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>
    /// Resolve-SoraTask: for a submission the journal holds as Unknown (sent, but its answer never arrived),
    /// looks for the matching task in the provider's list (same prompt and settings, created after the
    /// submission) and records its id when exactly one matches; otherwise says what it found.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Resolve, "SoraTask", DefaultParameterSetName = TaskSet)]
    [OutputType(typeof(SoraTask))]
    public sealed class ResolveSoraTaskCommand : SoraTaskCmdlet
    {
        private const string TaskSet = "Task";
        private const string IdSet = "Id";

        /// <summary>Unknown submissions, as Get-SoraTask -Status Unknown emits them.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TaskSet)]
        public SoraTask?[]? InputObject { get; set; }

        /// <summary>Local submission ids (sub-…) from the journal.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Alias("SubmissionId")]
        [ValidateNotNullOrEmpty]
        public string[]? Id { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Alias("ProfileName")]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public override string? Profile { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == TaskSet)
            {
                foreach (var t in InputObject ?? Array.Empty<SoraTask?>())
                    if (t != null) ResolveOne(t.Id, t.Profile, t);
            }
            else
            {
                foreach (var id in Id ?? Array.Empty<string>()) ResolveOne(id, TextInput.OrNull(Profile), id);
            }
            DrainPosted(TimeSpan.Zero);
        }

        private void ResolveOne(string id, string? profile, object target)
        {
            try
            {
                var entry = Journal.Read(new JournalFilter { Id = id, Profile = profile, Status = new[] { SoraTaskStatus.Unknown } })
                    .FirstOrDefault(e => e.Unresolved);
                if (entry == null)
                    throw new SoraException("NotAnUnknownSubmission", SoraErrorKind.NotFound,
                        $"The journal holds no unresolved submission '{id}'{(profile == null ? "" : " for profile '" + profile + "'")}. Get-SoraTask -Status Unknown lists the ones there are.") { Target = target };
                var client = ClientFor(entry.Profile);
                client.EnsureCredential();
                var found = RunAsync(ct => client.FindSubmissionAsync(entry, ct));
                var settings = string.Join(", ", new object?[] { entry.Model, entry.Duration.HasValue ? entry.Duration + "s" : null, entry.AspectRatio, entry.Resolution }.Where(x => x != null));
                if (found.Count == 1)
                {
                    WriteObject(client.RecordResolution(entry, found[0]));
                    return;
                }
                if (found.Count == 0)
                    throw new SoraException("SubmissionNotFound", SoraErrorKind.NotFound,
                        $"No task at the {client.Dialect.Name} provider of profile '{entry.Profile}' matches submission {entry.Id} (prompt '{entry.Prompt}', {settings}, sent {entry.SubmittedAt:u}): it was probably not accepted. It stays Unknown in the journal.") { Target = entry.ToTask() };
                throw new SoraException("AmbiguousSubmission", SoraErrorKind.Unknown,
                    $"{found.Count} tasks at the {client.Dialect.Name} provider of profile '{entry.Profile}' match submission {entry.Id} (prompt '{entry.Prompt}', {settings}, sent {entry.SubmittedAt:u}): {string.Join(", ", found.Select(t => t.Id + " (created " + (t.CreatedAt.HasValue ? t.CreatedAt.Value.ToString("u") : "?") + ")"))}. None was recorded; pick one with Get-SoraTask -Id.") { Target = entry.ToTask() };
            }
            catch (SoraException e)
            {
                WriteSoraError(e, target);
            }
        }
    }
}
