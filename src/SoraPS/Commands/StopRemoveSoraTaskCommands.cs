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

        protected override void ProcessRecord()
        {
            ForEachInput(task =>
            {
                if (!ShouldProcess($"{task.Id} ({task.Dialect}, profile '{task.Profile}')", "Delete the Sora task and its video at the provider")) return;
                try
                {
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
    }
}
