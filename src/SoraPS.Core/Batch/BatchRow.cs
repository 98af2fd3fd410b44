using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using SoraPS.Core.Dialects;
using SoraPS.Core.Profiles;
using SoraPS.Core.Tasks;

namespace SoraPS.Core.Batch
{
    /// <summary>What batch files say the way people write them: a pixel size for the aspect ratio and resolution, and the file a row's video is saved under.</summary>
    public static class BatchRow
    {
        private static readonly Regex SizePattern = new Regex(@"^\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*$", RegexOptions.CultureInvariant);

        /// <summary>Is the text a pixel size (WIDTHxHEIGHT) rather than a resolution name?</summary>
        public static bool IsPixelSize(string? text) => text != null && SizePattern.IsMatch(text);

        /// <summary>The model's sizes, WIDTHxHEIGHT, with the aspect ratio and resolution each one means.</summary>
        public static IReadOnlyList<(string Size, string AspectRatio, string Resolution)> Sizes(SoraDialect dialect, ModelSpec spec)
        {
            var list = new List<(string, string, string)>();
            foreach (var a in spec.AspectRatios)
                foreach (var r in spec.Resolutions)
                {
                    var size = dialect.SizeOf(a, r);
                    if (size != null && !list.Any(x => x.Item1 == size)) list.Add((size, a, r));
                }
            return list;
        }

        /// <summary>
        /// The aspect ratio and resolution a pixel size means for the row's model, or InvalidSize naming the sizes the
        /// model has (or saying it has none, where the dialect speaks in aspect ratios and resolutions only).
        /// </summary>
        public static (string AspectRatio, string Resolution) FromSize(SoraDialect dialect, SoraProfile? profile, string? model, string size)
        {
            var modelName = string.IsNullOrWhiteSpace(model) ? (string.IsNullOrWhiteSpace(profile?.Model) ? dialect.DefaultModel : profile!.Model) : model;
            var spec = dialect.GetModel(modelName, profile);
            var m = SizePattern.Match(size);
            var wanted = m.Success ? m.Groups[1].Value + "x" + m.Groups[2].Value : size.Trim();
            var sizes = Sizes(dialect, spec);
            var hit = sizes.FirstOrDefault(s => string.Equals(s.Size, wanted, StringComparison.OrdinalIgnoreCase));
            if (hit.Size != null) return (hit.AspectRatio, hit.Resolution);
            var has = sizes.Count == 0
                ? $"The {dialect.Name} dialect does not name its videos by pixel size: give an aspect ratio ({string.Join(", ", spec.AspectRatios)}) and a resolution ({string.Join(", ", spec.Resolutions)}) instead."
                : $"Sizes {dialect.Name} model {spec.Name} has: {string.Join(", ", sizes.Select(s => $"{s.Size} ({s.AspectRatio}, {s.Resolution})"))}.";
            throw new SoraValidationException("InvalidSize", "Resolution", $"{dialect.Name} model {spec.Name} has no size '{size.Trim()}'; nothing was sent. {has}") { Target = size };
        }

        /// <summary>
        /// Checks a row's <c>out</c> before anything is paid for: a file name (a relative path may name a sub-folder
        /// but not leave the folder; an absolute path is taken as it is), with no wildcard or invalid characters.
        /// </summary>
        public static string? CheckOutFile(string? outFile)
        {
            if (string.IsNullOrWhiteSpace(outFile)) return null;
            var o = outFile!.Trim();
            if (o.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || o.IndexOfAny(new[] { '*', '?', '"', '<', '>', '|' }) >= 0 || o.Any(char.IsControl))
                throw Invalid(o, "has characters a file name cannot have");
            if (o.EndsWith("/", StringComparison.Ordinal) || o.EndsWith("\\", StringComparison.Ordinal) || o.EndsWith(".", StringComparison.Ordinal))
                throw Invalid(o, "names a folder, not a file");
            if (!Path.IsPathRooted(o))
            {
                var depth = 0;
                foreach (var part in o.Split('/', '\\'))
                {
                    if (part == "..") depth--;
                    else if (part.Length > 0 && part != ".") depth++;
                    if (depth < 0) throw Invalid(o, "leaves the folder the videos are saved in");
                }
                if (depth == 0) throw Invalid(o, "names no file");
            }
            return o;
        }

        /// <summary>The file a task's <c>out</c> names in <paramref name="folder"/>; a relative name that would leave the folder is refused.</summary>
        public static string OutFileTarget(string folder, string outFile, SoraTask? task = null)
        {
            var fullFolder = Path.GetFullPath(folder);
            if (Path.IsPathRooted(outFile)) return Path.GetFullPath(outFile);
            var target = Path.GetFullPath(Path.Combine(fullFolder, outFile));
            var prefix = fullFolder.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? fullFolder : fullFolder + Path.DirectorySeparatorChar;
            var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (!target.StartsWith(prefix, comparison))
                throw new SoraValidationException("InvalidOutFile", "OutFile", $"The out file '{outFile}' of task {task?.Id} leaves the folder '{fullFolder}'; its video was not saved.") { Target = (object?)task ?? outFile };
            return target;
        }

        private static SoraValidationException Invalid(string outFile, string why) =>
            new SoraValidationException("InvalidOutFile", "OutFile", $"The out file '{outFile}' {why}; nothing was sent. Give a file name such as 'fox.mp4' (a sub-folder such as 'night/fox.mp4' is allowed).") { Target = outFile };
    }
}
