using System;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>Stop-SoraTask: asks the provider to cancel tasks (dialects that can).</summary>
    [Cmdlet(VerbsLifecycle.Stop, "SoraTask", DefaultParameterSetName = TaskSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SoraTask))]
    public sealed class StopSoraTaskCommand : TaskInputCommand
    {

        /// <summary>Emit the task after the provider has stopped it.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            ForEachInput(task =>
            {
                if (!ShouldProcess($"{task.Id} ({task.Dialect}, profile '{task.Profile}')", "Cancel the Sora task")) return;
                try
                {
                    var client = ClientFor(task.Profile);
                    client.EnsureCredential();
                    var stopped = RunAsync(ct => client.CancelAsync(task, ct));
                    if (PassThru) WriteObject(stopped);
                }
                catch (SoraException e)
                {
                    WriteSoraError(e, task);
                }
            });
        }
    }

    /// <summary>Remove-SoraTask: deletes tasks and their videos at the provider (dialects that can); the journal keeps the record.</summary>
    [Cmdlet(VerbsCommon.Remove, "SoraTask", DefaultParameterSetName = TaskSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    public sealed class RemoveSoraTaskCommand : TaskInputCommand
    {
        /// <summary>Deletes a finished video that was never saved without asking first.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            ForEachInput(task =>
            {
                if (!ShouldProcess($"{task.Id} ({task.Dialect}, profile '{task.Profile}')", "Delete the Sora task and its video at the provider")) return;
                try
                {
                    if (!Force && NeverSaved(task) && !ConfirmUnsaved(task)) return;
                    var client = ClientFor(task.Profile);
                    client.EnsureCredential();
                    RunAsync(async ct => { await client.DeleteAsync(task, ct).ConfigureAwait(false); return true; });
                }
                catch (SoraException e)
                {
                    WriteSoraError(e, task);
                }
            });
        }

        /// <summary>A finished video that neither the task object nor the journal says was saved.</summary>
        private bool NeverSaved(SoraTask task)
        {
            if (task.Status != SoraTaskStatus.Succeeded || !string.IsNullOrEmpty(task.SavedTo)) return false;
            var entries = Journal.Read(new SoraPS.Core.Journal.JournalFilter { Id = task.Id, Profile = task.Profile });
            return !entries.Any(e => !string.IsNullOrEmpty(e.SavedTo));
        }

        /// <summary>Asks before a video that was never saved is deleted; where nobody can be asked, refuses (VideoNeverSaved).</summary>
        private bool ConfirmUnsaved(SoraTask task)
        {
            var what = $"Task {task.Id} (profile '{task.Profile}') finished, but its video was never saved: deleting the task deletes the video at the provider.";
            try
            {
                if (ShouldContinue(what + " Delete it anyway?", "Delete a video that was never saved")) return true;
                WriteVerbose($"Task {task.Id} was kept: its video was never saved.");
                return false;
            }
            catch (Exception e) when (e is PSInvalidOperationException || e is System.Management.Automation.Host.HostException)
            {
                WriteSoraError(new SoraException("VideoNeverSaved", SoraErrorKind.InvalidParameter,
                    what + " Nothing was deleted. Save it first (Save-SoraVideo), or add -Force to delete it anyway."), task);
                return false;
            }
        }
    }
}
