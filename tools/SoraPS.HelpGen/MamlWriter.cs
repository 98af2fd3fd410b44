using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;

namespace SoraPS.HelpGen
{
    /// <summary>Writes MAML (the XML Get-Help reads for compiled cmdlets) from metadata plus markdown.</summary>
    public static class MamlWriter
    {
        private static readonly XNamespace Msh = "http://msh";
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        private static readonly Dictionary<string, string> ShouldProcessParameters = new Dictionary<string, string>
        {
            ["WhatIf"] = "Shows what would happen if the cmdlet runs. The cmdlet is not run.",
            ["Confirm"] = "Prompts you for confirmation before running the cmdlet.",
        };

        /// <summary>Problems that make the help incomplete: the build fails on any.</summary>
        public static List<string> Check(IEnumerable<CmdletInfoDoc> cmdlets, IEnumerable<CommandDoc> docs)
        {
            var problems = new List<string>();
            var byName = docs.ToDictionary(d => d.Name ?? "", StringComparer.OrdinalIgnoreCase);
            foreach (var c in cmdlets)
            {
                if (!byName.TryGetValue(c.Name, out var d)) { problems.Add($"{c.Name}: no docs/en-US/{c.Name}.md"); continue; }
                if (string.IsNullOrWhiteSpace(d.Synopsis)) problems.Add($"{c.Name}: empty SYNOPSIS");
                if (d.Description.Count == 0) problems.Add($"{c.Name}: empty DESCRIPTION");
                if (d.Examples.Count == 0) problems.Add($"{c.Name}: no example");
                foreach (var e in d.Examples.Where(e => string.IsNullOrWhiteSpace(e.Code))) problems.Add($"{c.Name}: example '{e.Title}' has no code");
                foreach (var p in c.Parameters.Where(p => !d.Parameters.ContainsKey(p.Name) || d.Parameters[p.Name].Count == 0))
                    problems.Add($"{c.Name}: parameter -{p.Name} is not described");
                foreach (var name in d.Parameters.Keys.Where(n => c.Parameters.All(p => !p.Name.Equals(n, StringComparison.OrdinalIgnoreCase)) && !ShouldProcessParameters.ContainsKey(n)))
                    problems.Add($"{c.Name}: the docs describe -{name}, which the cmdlet does not have");
            }
            foreach (var d in byName.Values.Where(d => cmdlets.All(c => !c.Name.Equals(d.Name, StringComparison.OrdinalIgnoreCase))))
                problems.Add($"{d.Name}: documented but not a cmdlet of the module");
            return problems;
        }

        public static XDocument Write(IEnumerable<CmdletInfoDoc> cmdlets, IEnumerable<CommandDoc> docs)
        {
            var byName = docs.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);
            var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
                new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command), new XAttribute(XNamespace.Xmlns + "dev", Dev));
            foreach (var c in cmdlets) root.Add(WriteCommand(c, byName[c.Name]));
            return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        }

        private static IEnumerable<XElement> Paras(IEnumerable<string> text) =>
            text.Select(t => new XElement(Maml + "para", t));

        private static XElement WriteCommand(CmdletInfoDoc c, CommandDoc d)
        {
            var shouldProcess = c.SupportsShouldProcess
                ? ShouldProcessParameters.Select(kv => new ParameterInfoDoc { Name = kv.Key, Type = "System.Management.Automation.SwitchParameter", Sets = { new SetMembership() } }).ToList()
                : new List<ParameterInfoDoc>();
            string Describe(string name) =>
                d.Parameters.TryGetValue(name, out var text) ? string.Join("\n\n", text) : ShouldProcessParameters.TryGetValue(name, out var sp) ? sp : "";

            var syntax = new XElement(Command + "syntax");
            foreach (var (set, parameters) in c.Syntax())
            {
                var item = new XElement(Command + "syntaxItem", new XElement(Maml + "name", c.Name));
                foreach (var (p, m) in parameters) item.Add(Parameter(p, m, Describe(p.Name), false));
                foreach (var p in shouldProcess) item.Add(Parameter(p, p.Sets[0], Describe(p.Name), false));
                syntax.Add(item);
            }
            var parametersElement = new XElement(Command + "parameters");
            foreach (var p in c.Parameters.Concat(shouldProcess))
            {
                var m = p.Sets.First();
                var merged = new SetMembership
                {
                    Mandatory = p.Sets.Any(s => s.Mandatory),
                    Position = p.Sets.Select(s => s.Position).FirstOrDefault(x => x.HasValue),
                    ByValue = p.Sets.Any(s => s.ByValue),
                    ByPropertyName = p.Sets.Any(s => s.ByPropertyName),
                };
                parametersElement.Add(Parameter(p, merged, Describe(p.Name), true));
            }
            var command = new XElement(Command + "command",
                new XElement(Command + "details",
                    new XElement(Command + "name", c.Name),
                    new XElement(Command + "verb", c.Verb),
                    new XElement(Command + "noun", c.Noun),
                    new XElement(Maml + "description", new XElement(Maml + "para", d.Synopsis))),
                new XElement(Maml + "description", Paras(d.Description)),
                syntax,
                parametersElement,
                new XElement(Command + "inputTypes", d.Inputs.Select(i => new XElement(Command + "inputType",
                    new XElement(Dev + "type", new XElement(Maml + "name", i.Type)), new XElement(Maml + "description", Paras(i.Text))))),
                new XElement(Command + "returnValues", d.Outputs.Select(o => new XElement(Command + "returnValue",
                    new XElement(Dev + "type", new XElement(Maml + "name", o.Type)), new XElement(Maml + "description", Paras(o.Text))))),
                new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(d.Notes))),
                new XElement(Command + "examples", d.Examples.Select(e => new XElement(Command + "example",
                    new XElement(Maml + "title", "-------------------------- " + e.Title + " --------------------------"),
                    new XElement(Dev + "code", e.Code),
                    new XElement(Dev + "remarks", Paras(e.Remarks))))),
                new XElement(Maml + "relatedLinks", d.Links.Select(l => new XElement(Maml + "navigationLink",
                    new XElement(Maml + "linkText", l), new XElement(Maml + "uri", l.StartsWith("http", StringComparison.Ordinal) ? l : "")))));
            return command;
        }

        private static XElement Parameter(ParameterInfoDoc p, SetMembership m, string description, bool full)
        {
            var pipeline = m.ByValue && m.ByPropertyName ? "True (ByPropertyName, ByValue)" : m.ByValue ? "True (ByValue)" : m.ByPropertyName ? "True (ByPropertyName)" : "False";
            var e = new XElement(Command + "parameter",
                new XAttribute("required", m.Mandatory ? "true" : "false"),
                new XAttribute("variableLength", p.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
                new XAttribute("globbing", "false"),
                new XAttribute("pipelineInput", pipeline),
                new XAttribute("position", m.Position?.ToString(CultureInfo.InvariantCulture) ?? "named"),
                new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
                new XElement(Maml + "name", p.Name),
                new XElement(Maml + "description", Paras(description.Split(new[] { "\n\n" }, StringSplitOptions.RemoveEmptyEntries))));
            if (!p.IsSwitch)
                e.Add(new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), ShortType(p.Type)));
            e.Add(new XElement(Dev + "type", new XElement(Maml + "name", p.Type)));
            if (full) e.Add(new XElement(Dev + "defaultValue", p.IsSwitch ? "False" : "None"));
            return e;
        }

        private static string ShortType(string full)
        {
            var name = full.Substring(full.LastIndexOf('.') + 1);
            return name;
        }
    }
}
