using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>Get-SoraTask: reads the current state of tasks from their provider.</summary>
    [Cmdlet(VerbsCommon.Get, "SoraTask", DefaultParameterSetName = IdSet)]
    [OutputType(typeof(SoraTask))]
    public sealed class GetSoraTaskCommand : TaskInputCommand
    {
        protected override void ProcessRecord()
        {
            if (ParameterSetName == IdSet)
            {
                ForEachInput(WriteObject);
                return;
            }
            foreach (var task in InputObject)
            {
                if (task == null) continue;
                try
                {
                    var client = ClientFor(task.Profile);
                    WriteObject(RunAsync(ct => client.RefreshAsync(task, ct)));
                }
                catch (SoraException e)
                {
                    WriteSoraError(e, task);
                }
            }
        }
    }
}
