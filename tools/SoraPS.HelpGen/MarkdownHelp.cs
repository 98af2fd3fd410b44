using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace SoraPS.HelpGen
{
    /// <summary>One cmdlet's help as written in docs/en-US/&lt;Name&gt;.md.</summary>
    public sealed class CommandDoc
    {
        public string Name { get; set; }
        public string Synopsis { get; set; }
        public List<string> Description { get; } = new List<string>();
        public List<ExampleDoc> Examples { get; } = new List<ExampleDoc>();
        public Dictionary<string, List<string>> Parameters { get; } = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        public List<(string Type, List<string> Text)> Inputs { get; } = new List<(string, List<string>)>();
        public List<(string Type, List<string> Text)> Outputs { get; } = new List<(string, List<string>)>();
        public List<string> Notes { get; } = new List<string>();
        public List<string> Links { get; } = new List<string>();
    }

    public sealed class ExampleDoc
    {
        public string Title { get; set; }
        public string Code { get; set; }
        public List<string> Remarks { get; } = new List<string>();
    }

    /// <summary>
    /// Reads the markdown help format SoraPS uses (PlatyPS-like headings: SYNOPSIS, DESCRIPTION,
    /// EXAMPLES with "### Example N: title" and a fenced code block, PARAMETERS with "### -Name",
    /// INPUTS, OUTPUTS, NOTES, RELATED LINKS).
    /// </summary>
    public static class MarkdownHelp
    {
        public static CommandDoc Parse(string text)
        {
            var doc = new CommandDoc();
            string section = null, sub = null;
            ExampleDoc example = null;
            List<string> target = null;
            var para = new StringBuilder();
            var inCode = false;
            var code = new StringBuilder();

            void Flush()
            {
                if (para.Length > 0 && target != null) target.Add(para.ToString().Trim());
                para.Clear();
            }

            foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
            {
                var line = raw.TrimEnd();
                if (inCode)
                {
                    if (line.StartsWith("```", StringComparison.Ordinal))
                    {
                        inCode = false;
                        if (example != null && example.Code == null) example.Code = code.ToString().TrimEnd();
                        else if (target != null) target.Add(code.ToString().TrimEnd());
                        code.Clear();
                    }
                    else
                    {
                        code.Append(raw).Append('\n');
                    }
                    continue;
                }
                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    Flush();
                    inCode = true;
                    continue;
                }
                if (line.StartsWith("# ", StringComparison.Ordinal))
                {
                    doc.Name = line.Substring(2).Trim();
                    continue;
                }
                if (line.StartsWith("## ", StringComparison.Ordinal))
                {
                    Flush();
                    section = line.Substring(3).Trim().ToUpperInvariant();
                    sub = null;
                    example = null;
                    target = section == "DESCRIPTION" ? doc.Description : section == "NOTES" ? doc.Notes : null;
                    continue;
                }
                if (line.StartsWith("### ", StringComparison.Ordinal))
                {
                    Flush();
                    sub = line.Substring(4).Trim();
                    switch (section)
                    {
                        case "EXAMPLES":
                            example = new ExampleDoc { Title = sub };
                            doc.Examples.Add(example);
                            target = example.Remarks;
                            break;
                        case "PARAMETERS":
                            target = new List<string>();
                            doc.Parameters[sub.TrimStart('-')] = target;
                            break;
                        case "INPUTS":
                            target = new List<string>();
                            doc.Inputs.Add((sub, target));
                            break;
                        case "OUTPUTS":
                            target = new List<string>();
                            doc.Outputs.Add((sub, target));
                            break;
                    }
                    continue;
                }
                if (section == "SYNOPSIS")
                {
                    if (line.Length > 0) doc.Synopsis = ((doc.Synopsis ?? "") + " " + line.Trim()).Trim();
                    continue;
                }
                if (section == "RELATED LINKS")
                {
                    var link = line.TrimStart('-', '*', ' ').Trim();
                    if (link.Length > 0) doc.Links.Add(link.Trim('[', ']'));
                    continue;
                }
                if (line.Length == 0) Flush();
                else para.Append(para.Length > 0 ? " " : "").Append(line.Trim());
            }
            Flush();
            return doc;
        }

        public static IEnumerable<CommandDoc> ReadFolder(string folder) =>
            Directory.GetFiles(folder, "*-*.md").OrderBy(f => f, StringComparer.Ordinal).Select(f => Parse(File.ReadAllText(f)));
    }
}
