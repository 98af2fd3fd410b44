using System;
using System.IO;
using System.Linq;

namespace SoraPS.HelpGen
{
    /// <summary>
    /// SoraPS.HelpGen &lt;SoraPS.dll&gt; &lt;System.Management.Automation.dll&gt; &lt;docs/en-US&gt; &lt;output en-US folder&gt;...
    /// Writes SoraPS.dll-Help.xml and about_*.help.txt into every output folder; fails when any
    /// cmdlet, parameter or example is undocumented.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length < 4)
            {
                Console.Error.WriteLine("usage: SoraPS.HelpGen <module.dll> <System.Management.Automation.dll> <docs folder> <output folder>...");
                return 2;
            }
            var cmdlets = CmdletMetadata.Read(Path.GetFullPath(args[0]), Path.GetFullPath(args[1]));
            var docs = MarkdownHelp.ReadFolder(args[2]).ToList();
            var problems = MamlWriter.Check(cmdlets, docs);
            if (problems.Count > 0)
            {
                foreach (var p in problems) Console.Error.WriteLine("error: help: " + p);
                return 1;
            }
            var maml = MamlWriter.Write(cmdlets, docs);
            foreach (var output in args.Skip(3))
            {
                Directory.CreateDirectory(output);
                maml.Save(Path.Combine(output, Path.GetFileName(args[0]) + "-Help.xml"));
                foreach (var about in Directory.GetFiles(args[2], "about_*.md"))
                    File.WriteAllText(Path.Combine(output, Path.GetFileNameWithoutExtension(about) + ".help.txt"), AboutText(File.ReadAllText(about)));
            }
            Console.WriteLine($"Help for {cmdlets.Count} cmdlets written to {string.Join(", ", args.Skip(3))}");
            return 0;
        }

        /// <summary>about_ topics are plain text: markdown headings become upper-case titles.</summary>
        public static string AboutText(string markdown)
        {
            var lines = markdown.Replace("\r\n", "\n").Split('\n').Select(l =>
                l.StartsWith("# ", StringComparison.Ordinal) ? "TOPIC\n    " + l.Substring(2).Trim() :
                l.StartsWith("## ", StringComparison.Ordinal) ? l.Substring(3).Trim().ToUpperInvariant() :
                l.StartsWith("```", StringComparison.Ordinal) ? "" :
                l.Length == 0 ? "" : "    " + l);
            return string.Join(Environment.NewLine, lines);
        }
    }
}
