namespace SoraPS.Commands
{
    /// <summary>How the cmdlets read text parameters.</summary>
    internal static class TextInput
    {
        /// <summary>The text trimmed, or null when it is null, empty or only white space (an empty CSV cell is "not given").</summary>
        public static string? OrNull(string? text) => string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
    }
}
