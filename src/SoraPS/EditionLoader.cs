using System.IO;
using System.Management.Automation;

namespace SoraPS.Commands
{
    /// <summary>
    /// Runs at Import-Module: points the runtime at this edition's build of SoraPS.Core and its dependencies.
    /// bin/core holds the net8.0 build (PowerShell 7.4+, in-box System.Text.Json); bin/desktop the netstandard2.0
    /// build with System.Text.Json and its dependencies (Windows PowerShell 5.1, where this also stands in for the
    /// binding redirects the host cannot have). The manifest stays pure data.
    /// </summary>
    public sealed class EditionLoader : IModuleAssemblyInitializer
    {
        public void OnImport() =>
            DependencyResolver.Install(DependencyResolver.EditionDirectory(Path.GetDirectoryName(typeof(EditionLoader).Assembly.Location)));
    }
}
