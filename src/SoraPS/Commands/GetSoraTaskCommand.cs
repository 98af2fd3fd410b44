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
        private const string ListSet = "List";

        /// <summary>Ask the provider for its task list (dialects that have one), newest first.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ListSet)]
        public SwitchParameter List { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Parameter(ParameterSetName = ListSet)]
        [Alias("ProfileName")]
        public string Profile { get; set; }

        protected override string ProfileName => Profile;

        /// <summary>At most this many tasks from the list.</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateRange(1, 100000)]
        public int First { get; set; } = 100;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ListSet)
            {
                try
                {
                    var client = ClientFor(string.IsNullOrWhiteSpace(Profile) ? null : Profile);
                    if (!client.Dialect.SupportsList)
                        throw new SoraValidationException("ListNotSupported", "List", $"The {client.Dialect.Name} dialect has no task list; use Get-SoraTask with ids.");
                    client.EnsureCredential();
                    WriteObject(RunAsync(ct => client.ListAsync(First, ct)), true);
                }
                catch (SoraException e)
                {
                    WriteSoraError(e, Profile);
                }
                return;
            }
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
