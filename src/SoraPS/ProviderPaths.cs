using System;
using System.Linq;
using System.Management.Automation;
using SoraPS.Core;

namespace SoraPS.Commands
{
    /// <summary>
    /// Turns paths as PowerShell users write them (~, PSDrives, relative to the current location,
    /// wildcards for -Path) into file-system paths, and refuses paths on other providers (Env:, Function:, …)
    /// instead of letting their provider path land in the process's working folder.
    /// </summary>
    internal static class ProviderPaths
    {
        /// <summary>
        /// The file-system path <paramref name="path"/> means. With <paramref name="literal"/> nothing is
        /// expanded; otherwise wildcards resolve to the one existing item they match.
        /// </summary>
        public static string FileSystemPath(PSCmdlet cmdlet, string path, bool literal, string parameter)
        {
            ProviderInfo provider;
            string resolved;
            try
            {
                if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
                {
                    var matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
                    if (matches.Count == 0) throw new ItemNotFoundException(path);
                    if (matches.Count > 1)
                        throw new SoraValidationException("AmbiguousPath", parameter,
                            $"-{parameter} '{path}' matches {matches.Count} items ({string.Join(", ", matches.Take(3))}{(matches.Count > 3 ? ", …" : "")}); name one, or use -LiteralPath for a name that contains wildcard characters.") { Target = path };
                    resolved = matches[0];
                }
                else
                {
                    resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
                }
            }
            catch (ItemNotFoundException)
            {
                throw new SoraValidationException("PathNotFound", parameter,
                    $"-{parameter} '{path}' contains wildcard characters and matches nothing. For a name with [ ] * ? in it, such as '[1].mp4', use -LiteralPath.") { Target = path };
            }
            catch (Exception e) when (e is DriveNotFoundException || e is ProviderNotFoundException || e is NotSupportedException || e is ProviderInvocationException || e is PSArgumentException)
            {
                throw new SoraValidationException("PathNotFound", parameter, $"-{parameter} '{path}' cannot be used: {e.Message}") { Target = path };
            }
            if (!string.Equals(provider?.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
                throw new SoraValidationException("PathNotFileSystem", parameter,
                    $"-{parameter} '{path}' is on the {provider?.Name ?? "unknown"} provider, not the file system; give a file-system path (a folder, a FileSystem drive such as C: or a New-PSDrive -PSProvider FileSystem drive, or ~).") { Target = path };
            return resolved;
        }
    }
}
