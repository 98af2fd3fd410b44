#if !NET
using System.IO;
using System.Management.Automation;

namespace SoraPS.Commands
{
    /// <summary>
    /// Windows PowerShell 5.1: resolves System.Text.Json and its dependencies from this module's folder,
    /// whatever version another module or the GAC asks for (the binding redirects the host cannot have).
    /// </summary>
    public sealed class DesktopLoader : IModuleAssemblyInitializer
    {
        public void OnImport() =>
            SoraPS.Core.DependencyResolver.Install(Path.GetDirectoryName(typeof(DesktopLoader).Assembly.Location));
    }
}
#endif
