namespace SoraPS.Core.Http
{
    /// <summary>Where Core writes its trace. The cmdlets forward it to Write-Verbose / Write-Debug.</summary>
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
