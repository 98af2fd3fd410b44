using System;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Dialects;
using SoraPS.Core.Journal;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>
    /// Get-SoraTask: with ids (or task objects), reads their current state from the provider; with -List,
    /// asks the provider for its task list; with neither, lists the tasks this machine submitted, from
    /// the journal (-Pending: what a crashed or stopped script left to wait for or save).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SoraTask", DefaultParameterSetName = JournalSet)]
    [OutputType(typeof(SoraTask))]
    public sealed class GetSoraTaskCommand : TaskInputCommand
    {
        private const string ListSet = "List";
        private const string JournalSet = "Journal";

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Parameter(ParameterSetName = ListSet)]
        [Parameter(ParameterSetName = JournalSet)]
        [Alias("ProfileName")]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public override string? Profile { get; set; }

        /// <summary>Ask the provider for its task list (dialects that have one), newest first.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ListSet)]
        public SwitchParameter List { get; set; }

        /// <summary>With -List: Descending (newest first, the default) or Ascending (oldest first).</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateSet("Ascending", "Descending", IgnoreCase = true)]
        public string Order { get; set; } = "Descending";

        /// <summary>At most this many tasks.</summary>
        [Parameter(ParameterSetName = ListSet)]
        [Parameter(ParameterSetName = JournalSet)]
        [ValidateRange(1, 1000000)]
        public int First { get; set; } = int.MaxValue;

        /// <summary>Journal: only tasks with these statuses.</summary>
        [Parameter(ParameterSetName = JournalSet)]
        public SoraTaskStatus[]? Status { get; set; }

        /// <summary>Journal: only tasks submitted since this time.</summary>
        [Parameter(ParameterSetName = JournalSet)]
        public DateTime? Since { get; set; }

        /// <summary>Journal: only tasks still to wait for or to save (not finished, or finished and not saved).</summary>
        [Parameter(ParameterSetName = JournalSet)]
        public SwitchParameter Pending { get; set; }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case ListSet:
                    ListFromProvider();
                    return;
                case JournalSet:
                    ListFromJournal();
                    return;
                case IdSet:
                    ForEachInput(WriteObject);
                    return;
            }
            foreach (var task in InputObject ?? Array.Empty<SoraTask?>())
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
            DrainPosted(TimeSpan.Zero);
        }

        private void ListFromProvider()
        {
            try
            {
                var client = ClientFor(TextInput.OrNull(Profile));
                client.Dialect.Require(DialectOperation.List, "List");
                client.EnsureCredential();
                var max = First == int.MaxValue ? 100 : First;
                var ascending = string.Equals(Order, "Ascending", StringComparison.OrdinalIgnoreCase);
                WriteObject(RunAsync(ct => client.ListAsync(max, ascending, ct)), true);
            }
            catch (SoraException e)
            {
                WriteSoraError(e, Profile);
            }
        }

        private void ListFromJournal()
        {
            var entries = Journal.Read(new JournalFilter
            {
                Profile = TextInput.OrNull(Profile),
                Since = Since.HasValue ? new DateTimeOffset(Since.Value.ToUniversalTime(), TimeSpan.Zero) : (DateTimeOffset?)null,
                Status = Status,
                PendingOnly = Pending,
                First = First == int.MaxValue ? (int?)null : First,
            });
            DrainPosted(TimeSpan.Zero); // warnings about malformed lines
            WriteObject(entries.Select(e => e.ToTask()), true);
        }
    }
}
