using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace SoraPS.HelpGen
{
    public sealed class ParameterInfoDoc
    {
        public string Name { get; set; }
        public string Type { get; set; }
        public bool IsSwitch => Type == "System.Management.Automation.SwitchParameter";
        public List<string> Aliases { get; } = new List<string>();
        public List<SetMembership> Sets { get; } = new List<SetMembership>();
        public int Order { get; set; }
    }

    public sealed class SetMembership
    {
        public string Set { get; set; } = AllSets;
        public bool Mandatory { get; set; }
        public int? Position { get; set; }
        public bool ByValue { get; set; }
        public bool ByPropertyName { get; set; }
        public const string AllSets = "__AllParameterSets";
    }

    public sealed class CmdletInfoDoc
    {
        public string Verb { get; set; }
        public string Noun { get; set; }
        public string Name => Verb + "-" + Noun;
        public string DefaultSet { get; set; }
        public bool SupportsShouldProcess { get; set; }
        public List<ParameterInfoDoc> Parameters { get; } = new List<ParameterInfoDoc>();
        public List<string> OutputTypes { get; } = new List<string>();

        /// <summary>The parameter sets, each with its parameters (shared ones included).</summary>
        public IEnumerable<(string Set, List<(ParameterInfoDoc Parameter, SetMembership Membership)> Parameters)> Syntax()
        {
            var named = Parameters.SelectMany(p => p.Sets).Select(s => s.Set).Where(s => s != SetMembership.AllSets).Distinct().ToList();
            if (named.Count == 0) named.Add(SetMembership.AllSets);
            // The default set first, as Get-Command shows it.
            named = named.OrderBy(s => s == DefaultSet ? 0 : 1).ToList();
            foreach (var set in named)
            {
                var list = new List<(ParameterInfoDoc, SetMembership)>();
                foreach (var p in Parameters)
                {
                    var m = p.Sets.FirstOrDefault(s => s.Set == set) ?? p.Sets.FirstOrDefault(s => s.Set == SetMembership.AllSets);
                    if (m != null) list.Add((p, m));
                }
                var ordered = list.OrderBy(x => x.Item2.Position.HasValue ? 0 : 1).ThenBy(x => x.Item2.Position ?? 0).ThenBy(x => x.Item1.Order).ToList();
                yield return (set, ordered);
            }
        }
    }

    /// <summary>Reads the cmdlets of a compiled module without running it (MetadataLoadContext).</summary>
    public static class CmdletMetadata
    {
        private const string Sma = "System.Management.Automation.";

        public static List<CmdletInfoDoc> Read(string assemblyPath, string smaPath)
        {
            var paths = new List<string> { assemblyPath, smaPath };
            paths.AddRange(Directory.GetFiles(Path.GetDirectoryName(assemblyPath), "*.dll"));
            // The laid-out module keeps SoraPS.Core in an edition folder below the cmdlet assembly.
            var edition = Path.Combine(Path.GetDirectoryName(assemblyPath), "core");
            if (Directory.Exists(edition)) paths.AddRange(Directory.GetFiles(edition, "*.dll"));
            paths.AddRange(Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location), "*.dll"));
            var resolver = new PathAssemblyResolver(paths.Distinct(StringComparer.OrdinalIgnoreCase).Where(p => !p.EndsWith("System.Management.Automation.dll", StringComparison.OrdinalIgnoreCase) || p == smaPath));
            using (var mlc = new MetadataLoadContext(resolver, "System.Private.CoreLib"))
            {
                var asm = mlc.LoadFromAssemblyPath(assemblyPath);
                var result = new List<CmdletInfoDoc>();
                foreach (var type in asm.GetTypes().Where(t => t.IsPublic && !t.IsAbstract))
                {
                    var cmdlet = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == Sma + "CmdletAttribute");
                    if (cmdlet == null) continue;
                    var info = new CmdletInfoDoc
                    {
                        Verb = (string)cmdlet.ConstructorArguments[0].Value,
                        Noun = (string)cmdlet.ConstructorArguments[1].Value,
                        DefaultSet = Named<string>(cmdlet, "DefaultParameterSetName"),
                        SupportsShouldProcess = Named<bool>(cmdlet, "SupportsShouldProcess"),
                    };
                    foreach (var o in type.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Sma + "OutputTypeAttribute"))
                        foreach (var arg in o.ConstructorArguments)
                        {
                            if (arg.Value is IEnumerable<CustomAttributeTypedArgument> many) info.OutputTypes.AddRange(many.Select(x => ((Type)x.Value).FullName));
                            else if (arg.Value is Type t) info.OutputTypes.Add(t.FullName);
                        }
                    var order = 0;
                    // Base-class parameters after the command's own, as the engine lists them.
                    var chain = new List<Type>();
                    for (var t = type; t != null && t.FullName != Sma + "PSCmdlet"; t = t.BaseType) chain.Add(t);
                    foreach (var t in chain)
                        foreach (var prop in t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                        {
                            var parameters = prop.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Sma + "ParameterAttribute").ToList();
                            if (parameters.Count == 0 || info.Parameters.Any(p => p.Name == prop.Name)) continue;
                            var p = new ParameterInfoDoc { Name = prop.Name, Type = TypeName(prop.PropertyType), Order = order++ };
                            foreach (var a in parameters)
                                p.Sets.Add(new SetMembership
                                {
                                    Set = Named<string>(a, "ParameterSetName") ?? SetMembership.AllSets,
                                    Mandatory = Named<bool>(a, "Mandatory"),
                                    Position = a.NamedArguments.Any(n => n.MemberName == "Position") ? Named<int>(a, "Position") : (int?)null,
                                    ByValue = Named<bool>(a, "ValueFromPipeline"),
                                    ByPropertyName = Named<bool>(a, "ValueFromPipelineByPropertyName"),
                                });
                            foreach (var alias in prop.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Sma + "AliasAttribute"))
                                foreach (var arg in alias.ConstructorArguments)
                                    if (arg.Value is IEnumerable<CustomAttributeTypedArgument> names) p.Aliases.AddRange(names.Select(n => (string)n.Value));
                            info.Parameters.Add(p);
                        }
                    result.Add(info);
                }
                return result.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
            }
        }

        private static T Named<T>(CustomAttributeData a, string name)
        {
            var arg = a.NamedArguments.FirstOrDefault(n => n.MemberName == name);
            return arg.MemberInfo == null ? default : (T)arg.TypedValue.Value;
        }

        private static string TypeName(Type t)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition().FullName == "System.Nullable`1") return TypeName(t.GetGenericArguments()[0]);
            return t.FullName;
        }
    }
}
