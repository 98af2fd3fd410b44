using System;
using System.Management.Automation;
using SoraPS.Core.Http;

namespace SoraPS.Commands
{
    /// <summary>
    /// Core's trace as Write-Verbose/Write-Debug/Write-Warning, redacted and posted to the pipeline thread;
    /// a stream the invocation does not show costs nothing.
    /// </summary>
    internal sealed class CmdletLog : ISoraLog
    {
        private readonly PSCmdlet _cmdlet;
        private readonly PipelineQueue _queue;
        private readonly bool _verbose, _debug;

        public CmdletLog(PSCmdlet cmdlet, PipelineQueue queue)
        {
            _cmdlet = cmdlet;
            _queue = queue;
            _verbose = Wants(cmdlet, "Verbose", "VerbosePreference");
            _debug = Wants(cmdlet, "Debug", "DebugPreference");
            var preference = cmdlet.GetVariableValue("ProgressPreference");
            ShowsProgress = !(preference is ActionPreference a && (a == ActionPreference.SilentlyContinue || a == ActionPreference.Ignore)) &&
                            !"SilentlyContinue".Equals(preference?.ToString(), StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>Whether $ProgressPreference shows progress.</summary>
        public bool ShowsProgress { get; }

        /// <summary>Whether a stream is shown: the switch was given, or its preference variable asks for it.</summary>
        private static bool Wants(PSCmdlet cmdlet, string switchName, string preferenceVariable)
        {
            if (cmdlet.MyInvocation.BoundParameters.TryGetValue(switchName, out var v))
                return v is SwitchParameter sp ? sp.IsPresent : LanguagePrimitives.IsTrue(v);
            var pref = cmdlet.GetVariableValue(preferenceVariable);
            return pref is ActionPreference a ? a != ActionPreference.SilentlyContinue && a != ActionPreference.Ignore
                : !"SilentlyContinue".Equals(pref?.ToString(), StringComparison.OrdinalIgnoreCase);
        }

        public void Verbose(string message)
        {
            if (!_verbose) return;
            var text = Redactor.Redact(message);
            _queue.Post(() => _cmdlet.WriteVerbose(text));
        }

        public void Warning(string message)
        {
            var text = Redactor.Redact(message);
            _queue.Post(() => _cmdlet.WriteWarning(text));
        }

        public void Debug(string message)
        {
            if (!_debug) return;
            var text = Redactor.Redact(message);
            _queue.Post(() => _cmdlet.WriteDebug(text));
        }
    }
}
