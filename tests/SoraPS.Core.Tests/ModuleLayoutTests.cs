using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace SoraPS.Core.Tests
{
    /// <summary>
    /// The built module as it ships: both edition builds are there, and the Windows PowerShell 5.1 build
    /// carries every dependency it needs (checked by reading assembly references, so it runs on .NET here).
    /// </summary>
    public sealed class ModuleLayoutTests
    {
        internal static string ModuleDir
        {
            get
            {
                for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                    if (File.Exists(Path.Combine(dir.FullName, "SoraPS.sln"))) return Path.Combine(dir.FullName, "out", "SoraPS");
                throw new InvalidOperationException("repository root not found");
            }
        }

        private static (string Name, Version Version, List<AssemblyName> References) Read(string file)
        {
            using (var pe = new PEReader(File.OpenRead(file)))
            {
                var md = pe.GetMetadataReader();
                var def = md.GetAssemblyDefinition();
                var refs = md.AssemblyReferences.Select(h => md.GetAssemblyReference(h))
                    .Select(r => new AssemblyName(md.GetString(r.Name)) { Version = r.Version }).ToList();
                return (md.GetString(def.Name), def.Version, refs);
            }
        }

        [Theory]
        [InlineData("core")]
        [InlineData("desktop")]
        public void Each_edition_build_is_laid_out(string edition)
        {
            var bin = Path.Combine(ModuleDir, "bin", edition);
            Assert.True(File.Exists(Path.Combine(ModuleDir, "bin", "SoraPS.dll")), "missing the cmdlet assembly bin/SoraPS.dll");
            Assert.True(File.Exists(Path.Combine(bin, "SoraPS.Core.dll")), "missing " + bin + "/SoraPS.Core.dll");
            Assert.False(File.Exists(Path.Combine(bin, "SoraPS.dll")), "one cmdlet assembly serves both editions");
            Assert.Empty(Directory.GetFiles(ModuleDir, "System.Management.Automation.dll", SearchOption.AllDirectories));
            foreach (var f in new[] { "SoraPS.psd1", "SoraPS.Format.ps1xml", "LICENSE", "en-US/SoraPS.dll-Help.xml", "en-US/about_SoraPS.help.txt" })
                Assert.True(File.Exists(Path.Combine(ModuleDir, f)), "missing " + f);
        }

        [Fact]
        public void The_core_build_uses_the_in_box_System_Text_Json()
        {
            var bin = Path.Combine(ModuleDir, "bin", "core");
            Assert.False(File.Exists(Path.Combine(bin, "System.Text.Json.dll")));
            var stj = Read(Path.Combine(bin, "SoraPS.Core.dll")).References.Single(r => r.Name == "System.Text.Json");
            // PowerShell 7.4 runs on .NET 8: the reference must not ask for more than 8.0.
            Assert.True(stj.Version <= new Version(8, 0, 0, 0), "references System.Text.Json " + stj.Version);
        }

        [Fact]
        public void The_desktop_build_carries_every_dependency_at_a_sufficient_version()
        {
            var bin = Path.Combine(ModuleDir, "bin", "desktop");
            var shipped = Directory.GetFiles(bin, "*.dll").Append(Path.Combine(ModuleDir, "bin", "SoraPS.dll")).Select(Read).ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
            // What .NET Framework 4.7.2 and Windows PowerShell 5.1 provide themselves.
            var provided = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "mscorlib", "netstandard", "System", "System.Core", "System.Management.Automation", "System.Net.Http", "System.Runtime.Serialization", "System.Xml" };
            var missing = new List<string>();
            foreach (var assembly in shipped.Values)
                foreach (var reference in assembly.References)
                {
                    if (provided.Contains(reference.Name)) continue;
                    if (!shipped.TryGetValue(reference.Name, out var have)) missing.Add($"{assembly.Name} -> {reference.Name} {reference.Version} (absent)");
                    else if (have.Version < reference.Version) missing.Add($"{assembly.Name} -> {reference.Name} {reference.Version} (ships {have.Version})");
                }
            Assert.Empty(missing);
            Assert.Contains("System.Text.Json", shipped.Keys);
            Assert.Contains("System.Memory", shipped.Keys);
        }

        [Fact]
        public void The_cmdlet_assembly_targets_netstandard2_0_so_both_editions_load_it()
        {
            var refs = Read(Path.Combine(ModuleDir, "bin", "SoraPS.dll")).References.Select(r => r.Name).ToList();
            Assert.Contains("netstandard", refs);
            Assert.DoesNotContain("System.Runtime", refs);
            Assert.DoesNotContain("System.Private.CoreLib", refs);
        }

        [Fact]
        public void Each_edition_resolves_its_own_folder()
        {
            var bin = Path.Combine(ModuleDir, "bin");
            Assert.Equal(Path.Combine(bin, "core"), SoraPS.Commands.DependencyResolver.EditionDirectory(bin, desktop: false));
            Assert.Equal(Path.Combine(bin, "desktop"), SoraPS.Commands.DependencyResolver.EditionDirectory(bin, desktop: true));
            Assert.False(SoraPS.Commands.DependencyResolver.IsDesktop);
        }

        [Fact]
        public void The_resolver_finds_our_dependencies_whatever_version_is_asked_and_nothing_else()
        {
            var bin = Path.Combine(ModuleDir, "bin", "desktop");
            Assert.Equal(Path.Combine(bin, "System.Memory.dll"), SoraPS.Commands.DependencyResolver.Find(bin, new AssemblyName("System.Memory, Version=4.0.1.1, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51")));
            Assert.Equal(Path.Combine(bin, "System.Text.Json.dll"), SoraPS.Commands.DependencyResolver.Find(bin, new AssemblyName("System.Text.Json, Version=6.0.0.0")));
            Assert.Null(SoraPS.Commands.DependencyResolver.Find(bin, new AssemblyName("Newtonsoft.Json, Version=13.0.0.0")));
        }

        [Fact]
        public void The_manifest_declares_both_editions_and_exports_cmdlets_explicitly()
        {
            var psd1 = File.ReadAllText(Path.Combine(ModuleDir, "SoraPS.psd1"));
            Assert.Contains("CompatiblePSEditions = @('Core', 'Desktop')", psd1);
            Assert.Contains("RootModule           = 'bin/SoraPS.dll'", psd1);
            Assert.Contains("PowerShellVersion    = '5.1'", psd1);
            Assert.Contains("FormatsToProcess", psd1);
            Assert.DoesNotContain("'*'", psd1);
            foreach (var cmdlet in new[] { "New-SoraVideo", "Get-SoraTask", "Wait-SoraTask", "Save-SoraVideo", "Stop-SoraTask", "Remove-SoraTask", "Resolve-SoraTask", "Register-SoraProfile", "Get-SoraProfile", "Set-SoraProfile", "Unregister-SoraProfile" })
                Assert.Contains("'" + cmdlet + "'", psd1);
        }
    }
}
