namespace SoraPS.Core.Http
{
    /// <summary>
    /// Where Core writes its trace (Verbose, Debug) and its warnings, from any thread. The cmdlets' log redacts
    /// each message the invocation shows and posts it to the pipeline thread as Write-Verbose, Write-Debug or Write-Warning.
    /// </summary>
    public interface ISoraLog
    {
        void Verbose(string message);
        void Debug(string message);
        void Warning(string message);
    }

    public sealed class NullLog : ISoraLog
    {
        public static readonly NullLog Instance = new NullLog();
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) { }
    }
}
