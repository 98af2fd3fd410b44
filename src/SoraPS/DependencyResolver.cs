#nullable enable
using System;
using System.IO;
using System.Reflection;

namespace SoraPS.Commands
{
    /// <summary>
    /// Resolves the module's own dependencies from the edition folder by simple name, whatever version is
    /// requested. Touches no dependency itself, so it runs before SoraPS.Core can be loaded.
    /// </summary>
    public static class DependencyResolver
    {
        private static readonly object Gate = new object();
        private static string? _directory;

        /// <summary>True on Windows PowerShell (.NET Framework), false on PowerShell 7 (.NET).</summary>
        public static bool IsDesktop => typeof(object).Assembly.GetName().Name == "mscorlib";

        /// <summary>The folder of this edition's assemblies, below the folder holding SoraPS.dll.</summary>
        public static string EditionDirectory(string binDirectory, bool? desktop = null) =>
            Path.Combine(binDirectory, (desktop ?? IsDesktop) ? "desktop" : "core");

        /// <summary>The dependency file for a requested assembly, or null when it is not one of ours.</summary>
        public static string? Find(string? directory, AssemblyName requested)
        {
            if (requested?.Name == null || directory == null) return null;
            var candidate = Path.Combine(directory, requested.Name + ".dll");
            return File.Exists(candidate) ? candidate : null;
        }

        public static void Install(string directory)
        {
            lock (Gate)
            {
                if (_directory != null) return;
                _directory = directory;
                AppDomain.CurrentDomain.AssemblyResolve += OnResolve;
            }
        }

        private static Assembly? OnResolve(object? sender, ResolveEventArgs args)
        {
            var path = Find(_directory, new AssemblyName(args.Name));
            return path == null ? null : Assembly.LoadFrom(path);
        }
    }
}
