using System.Management.Automation;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>
    /// Wait-SoraTask: waits for every task piped in at once and emits each the moment it succeeds;
    /// a task that fails becomes an error whose ErrorId tells why.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Wait, "SoraTask", DefaultParameterSetName = TaskSet)]
    [OutputType(typeof(SoraTask))]
    public sealed class WaitSoraTaskCommand : TaskInputCommand
    {

        /// <summary>Stop waiting after this many seconds (0: no limit). Tasks keep running at the provider.</summary>
        [Parameter]
        [ValidateRange(0, 604800)]
        public double TimeoutSec { get; set; }

        /// <summary>Poll at this fixed interval instead of adapting to the provider's hints.</summary>
        [Parameter]
        [ValidateRange(0, 3600)]
        public double PollIntervalSec { get; set; }

        /// <summary>-TimeoutSec bounds reading a task given by id as well as the wait.</summary>
        protected override System.DateTimeOffset? InputDeadline => DeadlineOf(TimeoutSec);

        protected override void ProcessRecord()
        {
            var options = MakeWaitOptions(TimeoutSec, PollIntervalSec);
            ForEachInput(task => AddToWait(task, options, WriteObject));
            Pump(block: false);
        }

        protected override void EndProcessing()
        {
            Pump(block: true);
        }
    }
}
