using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using SoraPS.Core;
using SoraPS.Core.Http;
using SoraPS.Core.Journal;
using SoraPS.Core.Profiles;

namespace SoraPS.Commands
{
    /// <summary>One <see cref="SoraClient"/> per profile per invocation, with the key read where it must be.</summary>
    internal sealed class ClientCache
    {
        private readonly ConcurrentDictionary<string, SoraClient> _clients = new ConcurrentDictionary<string, SoraClient>(StringComparer.OrdinalIgnoreCase);
        private readonly ProfileStore _store;
        private readonly ISoraLog _log;
        private readonly TaskJournal _journal;
        private readonly SecretReader _secrets;

        public ClientCache(ProfileStore store, ISoraLog log, TaskJournal journal, SecretReader secrets)
        {
            _store = store;
            _log = log;
            _journal = journal;
            _secrets = secrets;
        }

        /// <summary>The client for a profile (named, or the default).</summary>
        public SoraClient For(string? profileName)
        {
            var key = profileName ?? "";
            if (_clients.TryGetValue(key, out var cached)) return cached;
            var profile = _store.Resolve(profileName);
            Func<SoraProfile, ApiCredential> credentials = p => ApiCredential.Resolve(p);
            if (!string.IsNullOrEmpty(profile.ApiKeySecret) && !SoraPS.Core.Batch.Rehearsal.Active) // a rehearsal needs no key
            {
                // SecretManagement runs PowerShell: read the secret now, on the pipeline thread.
                var secret = _secrets.Read(profile);
                credentials = p => ApiCredential.Resolve(p, (name, vault) => secret);
            }
            return _clients.GetOrAdd(key, _ => new SoraClient(profile, _log, null, credentials) { Journal = _journal });
        }
    }

    /// <summary>Reads a key from SecretManagement (an optional dependency: a clear error when it is absent), on the pipeline thread only.</summary>
    internal sealed class SecretReader
    {
        private readonly PSCmdlet _cmdlet;
        private readonly int _pipelineThread;

        public SecretReader(PSCmdlet cmdlet)
        {
            _cmdlet = cmdlet;
            _pipelineThread = Environment.CurrentManagedThreadId;
        }

        public string? Read(SoraProfile profile)
        {
            if (Environment.CurrentManagedThreadId != _pipelineThread)
                throw new SoraConfigurationException("SecretManagementUnavailable", $"The secret for profile '{profile.Name}' can only be read on the pipeline thread.");
            var available = _cmdlet.InvokeCommand.InvokeScript("Get-Module -ListAvailable -Name Microsoft.PowerShell.SecretManagement | Select-Object -First 1");
            if (available.Count == 0)
                throw new SoraConfigurationException("SecretManagementMissing",
                    $"Profile '{profile.Name}' takes its key from the secret '{profile.ApiKeySecret}', but the Microsoft.PowerShell.SecretManagement module is not installed. Install it (Install-Module Microsoft.PowerShell.SecretManagement) or give the profile another key source.") { Target = profile.Name };
            try
            {
                var result = _cmdlet.InvokeCommand.InvokeScript(false,
                    ScriptBlock.Create("param($Name, $Vault) Import-Module Microsoft.PowerShell.SecretManagement -ErrorAction Stop; if ($Vault) { Get-Secret -Name $Name -Vault $Vault -AsPlainText -ErrorAction Stop } else { Get-Secret -Name $Name -AsPlainText -ErrorAction Stop }"),
                    null, profile.ApiKeySecret, profile.Vault);
                var value = result.Count == 0 ? null : result[0]?.BaseObject;
                if (value is System.Security.SecureString secure) return new System.Net.NetworkCredential("", secure).Password;
                if (value is PSCredential credential) return credential.GetNetworkCredential().Password;
                return value?.ToString();
            }
            catch (RuntimeException e)
            {
                throw new SoraConfigurationException("SecretNotFound",
                    Redactor.Redact($"Cannot read the secret '{profile.ApiKeySecret}'{(string.IsNullOrEmpty(profile.Vault) ? "" : " from vault '" + profile.Vault + "'")} for profile '{profile.Name}': {e.Message}"), e) { Target = profile.Name };
            }
        }
    }
}
