using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SoraPS.Core
{
    /// <summary>
    /// Provider text made safe to show: control characters that would reach the terminal raw (ESC starting a window
    /// title, an OSC 8 link or a clear screen; BEL; a lone carriage return that rewrites the line) are replaced by their
    /// visible Unicode control pictures (U+2400 block), C1 controls by U+FFFD. Line feeds, tabs and CR LF pairs stay.
    /// Raw answers keep the text as it came.
    /// </summary>
    public static class DisplayText
    {
        [return: NotNullIfNotNull("text")]
        public static string? Neutralise(string? text)
        {
            if (text == null || !NeedsWork(text)) return text;
            var sb = new StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\n' || c == '\t' || (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')) sb.Append(c);
                else if (c < 0x20) sb.Append((char)(0x2400 + c));
                else if (c == 0x7F) sb.Append('\u2421');
                else if (c >= 0x80 && c <= 0x9F) sb.Append('\uFFFD');
                else sb.Append(c);
            }
            return sb.ToString();
        }

        private static bool NeedsWork(string text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7F && c <= 0x9F)) return true;
            }
            return false;
        }
    }
}
