using System;
using System.Text;

namespace SoraPS.Core.Downloads
{
    /// <summary>
    /// What a downloaded body is: read from its first bytes and checked against the media type the server named. A saved
    /// file is what the server sent: its extension follows the kind (video/mp4 .mp4, image/webp .webp, image/jpeg and
    /// image/jpg .jpg, image/png .png), and a body that is not the kind of file the variant asked for (JSON or HTML where a
    /// picture or a video was asked, an MP4 where a thumbnail was asked) is refused, naming what came.
    /// </summary>
    public static class MediaCheck
    {
        /// <summary>How many leading bytes <see cref="Sniff"/> reads.</summary>
        public const int HeadLength = 64;

        /// <summary>The kind of file the first bytes show: its extension (null when it is not a video or picture) and a description.</summary>
        public static (string? Extension, string Description) Sniff(byte[] head, int length)
        {
            bool At(int offset, string ascii) => length >= offset + ascii.Length && Encoding.ASCII.GetString(head, offset, ascii.Length) == ascii;
            if (At(4, "ftyp")) return (".mp4", "an MP4 video");
            if (At(0, "RIFF") && At(8, "WEBP")) return (".webp", "a WebP image");
            if (length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return (".jpg", "a JPEG image");
            if (length >= 8 && head[0] == 0x89 && At(1, "PNG") && head[4] == 0x0D && head[5] == 0x0A) return (".png", "a PNG image");
            if (At(0, "GIF8")) return (null, "a GIF image");
            if (length >= 4 && head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3) return (null, "a WebM/Matroska video");
            var i = 0;
            if (length >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) i = 3;
            while (i < length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) i++;
            if (i < length && (head[i] == '{' || head[i] == '[')) return (null, "a JSON document");
            if (i < length && head[i] == '<')
            {
                var text = Encoding.ASCII.GetString(head, i, length - i).ToLowerInvariant();
                return (null, text.StartsWith("<?xml", StringComparison.Ordinal) && text.IndexOf("<html", StringComparison.Ordinal) < 0 ? "an XML document" : "an HTML page");
            }
            if (length == 0) return (null, "an empty body");
            return (null, "bytes of no known picture or video format");
        }

        /// <summary>
        /// For a picture whose name SoraPS chose: the file an earlier save left under another picture extension (the server
        /// sent a JPEG where .webp was expected), so re-runs find it; else <paramref name="target"/> itself.
        /// </summary>
        public static string PictureOnDisk(string target)
        {
            if (System.IO.File.Exists(target)) return target;
            foreach (var extension in new[] { ".webp", ".jpg", ".png" })
            {
                var other = System.IO.Path.ChangeExtension(target, extension);
                if (System.IO.File.Exists(other)) return other;
            }
            return target;
        }

        /// <summary>The extension a media type names (null: it names no particular file type, or none this module saves).</summary>
        public static string? ExtensionOf(string? mediaType)
        {
            switch (Normalise(mediaType))
            {
                case "video/mp4": return ".mp4";
                case "image/webp": return ".webp";
                case "image/jpeg": case "image/jpg": case "image/pjpeg": return ".jpg";
                case "image/png": return ".png";
                default: return null;
            }
        }

        private static string Normalise(string? mediaType) =>
            (mediaType ?? "").Split(';')[0].Trim().ToLowerInvariant();

        /// <summary>
        /// Checks a downloaded body against what was asked (<paramref name="video"/>: the MP4 video; else a picture) and
        /// the media type the server named; returns the file's extension. Throws <see cref="SoraProtocolException"/> naming
        /// what came when the body is not that kind of file, or not the type the server said it was.
        /// </summary>
        public static string Check(bool video, string? mediaType, byte[] head, int length, string? taskId, long bytes)
        {
            var (extension, description) = Sniff(head, length);
            var declared = ExtensionOf(mediaType);
            var named = string.IsNullOrEmpty(mediaType) ? "" : ", sent as " + Normalise(mediaType);
            if (video && extension != ".mp4")
                throw new SoraProtocolException($"The file downloaded for task {taskId} is not an MP4 video: the server sent {description} ({bytes:N0} bytes{named}); nothing was saved.", null);
            if (!video && (extension == null || extension == ".mp4"))
                throw new SoraProtocolException($"The file downloaded for task {taskId} is not a picture: the server sent {description} ({bytes:N0} bytes{named}) where an image was asked; nothing was saved.", null);
            if (declared != null && declared != extension)
                throw new SoraProtocolException($"The file downloaded for task {taskId} was sent as {Normalise(mediaType)} but its bytes are {description} ({bytes:N0} bytes); nothing was saved.", null);
            return extension!;
        }
    }
}
