using System;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Tasks;

namespace SoraPS.Commands
{
    /// <summary>
    /// Base of the cmdlets that take tasks: task objects from the pipeline, or ids (with a profile)
    /// from parameters, CSV rows or any object with an Id/TaskId/task_id/video_id property.
    /// </summary>
    public abstract class TaskInputCommand : SoraTaskCmdlet
    {
        protected const string TaskSet = "Task";
        protected const string IdSet = "Id";

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TaskSet)]
        public virtual SoraTask?[]? InputObject { get; set; }

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Alias("TaskId", "task_id", "video_id")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(TaskIdCompleter))]
        public virtual string[]? Id { get; set; }

        /// <summary>The profile the ids belong to (a task object names its own).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [Alias("ProfileName")]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public override string? Profile { get; set; }

        /// <summary>Whether this invocation's tasks are task objects (else ids). Commands with more parameter sets say which are theirs.</summary>
        protected virtual bool TakesTaskObjects => ParameterSetName == TaskSet;

        /// <summary>The command's time limit, which also bounds reading the tasks given by id (null: none).</summary>
        protected virtual DateTimeOffset? InputDeadline => null;

        /// <summary>Calls <paramref name="each"/> for every input task; ids are read from the provider first.</summary>
        protected void ForEachInput(Action<SoraTask> each)
        {
            if (TakesTaskObjects)
            {
                foreach (var t in InputObject ?? Array.Empty<SoraTask?>())
                    if (t != null) each(t);
                return;
            }
            foreach (var id in Id ?? Array.Empty<string>())
            {
                SoraTask task;
                try
                {
                    var client = ClientFor(TextInput.OrNull(Profile));
                    var deadline = InputDeadline;
                    task = RunAsync(ct => client.GetAsync(id, deadline, ct));
                }
                catch (SoraException e)
                {
                    WriteSoraError(e, id);
                    continue;
                }
                each(task);
            }
        }
    }
}
