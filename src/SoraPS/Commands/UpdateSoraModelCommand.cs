using System;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Catalog;
using SoraPS.Core.Dialects;

namespace SoraPS.Commands
{
    /// <summary>
    /// Update-SoraModel: reads the models the profile's provider lists (where its dialect has a model list) and keeps
    /// them in the user's catalog (models.json) for the profile's dialect, each with its source and time. What was
    /// learned before for that dialect is replaced; models registered with Register-SoraModel are never touched.
    /// </summary>
    [Cmdlet(VerbsData.Update, "SoraModel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SoraModelInfo))]
    public sealed class UpdateSoraModelCommand : SoraTaskCmdlet
    {
        protected override void ProcessRecord()
        {
            SoraPS.Core.SoraClient? client = null;
            try
            {
                client = ClientFor(TextInput.OrNull(Profile));
                var dialect = client.Dialect;
                if (!dialect.HasModelList) throw dialect.ModelListNotSupported();
                client.EnsureCredential();
                var bar = Bars.NextId();
                var activity = $"Update-SoraModel: profile '{client.Profile.Name}' ({dialect.Name})";
                Bars.Write(() => new ProgressRecord(bar, activity, "Reading the provider's model list"));
                WriteVerbose($"Reading the model list of profile '{client.Profile.Name}' ({dialect.Name}, {client.Profile.BaseUri}).");
                var read = RunAsync(ct => ProviderModels.ReadAsync(client, ct));
                Bars.Write(() => new ProgressRecord(bar, activity, "Done") { RecordType = ProgressRecordType.Completed });
                var catalog = client.Catalog; // the catalog the client validates with
                var names = string.Join(", ", read.Select(m => m.Name));
                if (!ShouldProcess($"{dialect.Name} models learned from profile '{client.Profile.Name}' ({read.Count}: {names})",
                        "Replace the learned models in " + catalog.Store.FilePath)) return;
                var update = catalog.Remember(dialect, read);
                foreach (var skipped in update.Skipped) WriteVerbose("Left out " + skipped + ".");
                foreach (var m in update.Learned)
                {
                    WriteVerbose($"Learned {dialect.Name} model {m.Name} ({m.Source}).");
                    WriteObject(SoraModelInfo.From(dialect, ModelStore.ToSpec(dialect, m, m.Source!), client.Profile));
                }
            }
            catch (SoraException e)
            {
                WriteSoraError(e, e.Target ?? (object?)client?.Profile.Name ?? Profile);
            }
        }
    }
}
