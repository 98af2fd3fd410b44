using System;
using System.IO;

namespace SoraPS.Core.Downloads
{
    /// <summary>What can be told of an MP4 file from its box headers alone, without reading its media.</summary>
    public static class Mp4
    {
        /// <summary>
        /// True when the file starts with an 'ftyp' box and its top-level boxes fill it exactly: a file cut short (its
        /// last box claims more bytes than there are) or with bytes after its last box is not whole.
        /// </summary>
        public static bool IsWhole(string path)
        {
            try
            {
                using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                    return IsWhole(fs);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }

        private static bool IsWhole(Stream stream)
        {
            var length = stream.Length;
            var header = new byte[16];
            long at = 0;
            var boxes = 0;
            while (at < length)
            {
                stream.Position = at;
                if (ReadFully(stream, header, 8) < 8) return false;
                long size = (uint)(header[0] << 24 | header[1] << 16 | header[2] << 8 | header[3]);
                if (boxes == 0 && !(header[4] == 'f' && header[5] == 't' && header[6] == 'y' && header[7] == 'p')) return false;
                if (size == 1)
                {
                    if (ReadFully(stream, header, 8) < 8) return false;
                    size = 0;
                    for (var i = 0; i < 8; i++) size = size << 8 | header[i];
                    if (size < 16) return false;
                }
                else if (size == 0)
                {
                    size = length - at; // the last box runs to the end of the file
                }
                else if (size < 8)
                {
                    return false;
                }
                if (size > length - at) return false;
                at += size;
                boxes++;
            }
            return boxes > 0 && at == length;
        }

        private static int ReadFully(Stream stream, byte[] buffer, int count)
        {
            var total = 0;
            while (total < count)
            {
                var n = stream.Read(buffer, total, count - total);
                if (n == 0) break;
                total += n;
            }
            return total;
        }
    }
}
