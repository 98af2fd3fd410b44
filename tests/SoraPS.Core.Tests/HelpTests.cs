using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using SoraPS.HelpGen;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>The help compiler and the help it produces from docs/en-US for the built cmdlets.</summary>
    public sealed class HelpTests
    {
        private static string Root => Path.GetFullPath(Path.Combine(ModuleLayoutTests.ModuleDir, "..", ".."));
        private static string Docs => Path.Combine(Root, "docs", "en-US");

        private static string Sma
        {
            get
            {
                var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
                return Path.Combine(packages, "powershellstandard.library", "5.1.1", "lib", "netstandard2.0", "System.Management.Automation.dll");
            }
        }

        private static System.Collections.Generic.List<CmdletInfoDoc> Cmdlets() =>
            CmdletMetadata.Read(Path.Combine(ModuleLayoutTests.ModuleDir, "bin", "SoraPS.dll"), Sma);

        [Fact]
        public void Every_cmdlet_parameter_and_example_is_documented()
        {
            var cmdlets = Cmdlets();
            Assert.Equal(19, cmdlets.Count); // with Resolve-SoraTask, Get-SoraSpend, the character and the model catalog cmdlets (Update-SoraModel), Export-SoraGallery
            Assert.Empty(MamlWriter.Check(cmdlets, MarkdownHelp.ReadFolder(Docs)));
        }

        [Fact]
        public void The_check_catches_an_undocumented_parameter_and_a_missing_example()
        {
            var docs = MarkdownHelp.ReadFolder(Docs).ToList();
            var wait = docs.Single(d => d.Name == "Wait-SoraTask");
            wait.Parameters.Remove("TimeoutSec");
            wait.Examples.Clear();
            var problems = MamlWriter.Check(Cmdlets(), docs);
            Assert.Contains("Wait-SoraTask: parameter -TimeoutSec is not described", problems);
            Assert.Contains("Wait-SoraTask: no example", problems);
        }

        [Fact]
        public void The_maml_has_syntax_per_parameter_set_examples_and_pipeline_facts()
        {
            var maml = MamlWriter.Write(Cmdlets(), MarkdownHelp.ReadFolder(Docs));
            XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
            XNamespace maml2 = "http://schemas.microsoft.com/maml/2004/10";
            var commands = maml.Root.Elements(command + "command").ToList();
            Assert.Equal(19, commands.Count);
            var get = commands.Single(c => c.Element(command + "details").Element(command + "name").Value == "Get-SoraTask");
            Assert.Equal(4, get.Element(command + "syntax").Elements(command + "syntaxItem").Count());
            var newVideo = commands.Single(c => c.Element(command + "details").Element(command + "name").Value == "New-SoraVideo");
            var prompt = newVideo.Element(command + "parameters").Elements(command + "parameter").Single(p => p.Element(maml2 + "name").Value == "Prompt");
            // Whole objects piped in go to -InputObject (never turned into prompt text); -Prompt binds by property name.
            Assert.Equal("True (ByPropertyName)", prompt.Attribute("pipelineInput").Value);
            Assert.Equal("0", prompt.Attribute("position").Value);
            Assert.Equal("false", prompt.Attribute("required").Value);
            var input = newVideo.Element(command + "parameters").Elements(command + "parameter").Single(p => p.Element(maml2 + "name").Value == "InputObject");
            Assert.Equal("True (ByValue)", input.Attribute("pipelineInput").Value);
            Assert.Contains(newVideo.Element(command + "parameters").Elements(command + "parameter"), p => p.Element(maml2 + "name").Value == "WhatIf");
            Assert.True(newVideo.Element(command + "examples").Elements().Count() >= 5);
        }

        [Theory]
        [InlineData("Get-Content ./prompts.txt | New-SoraVideo")]
        [InlineData("Import-Csv ./jobs.csv | New-SoraVideo")]
        [InlineData("scheduled task")]
        [InlineData("Get-SoraTask -Pending | Wait-SoraTask")]
        [InlineData("-Image ./first-frame.png")]
        [InlineData("-RemixOf")]
        public void The_examples_cover_what_users_do(string text)
        {
            var all = string.Join("\n", MarkdownHelp.ReadFolder(Docs).SelectMany(d => d.Examples).Select(e => e.Title + "\n" + e.Code + "\n" + string.Join("\n", e.Remarks)));
            Assert.Contains(text, all);
        }

        [Fact]
        public void The_about_topic_is_plain_text_with_its_sections()
        {
            var text = SoraPS.HelpGen.Program.AboutText(File.ReadAllText(Path.Combine(Docs, "about_SoraPS.md")));
            Assert.StartsWith("TOPIC", text);
            foreach (var section in new[] { "PROFILES", "DIALECTS", "CONFIGURATION FOLDER", "JOURNAL", "ERROR IDS", "ENVIRONMENT VARIABLES" })
                Assert.Contains("\n" + section, text);
            Assert.DoesNotContain("## ", text);
        }
    }
}
