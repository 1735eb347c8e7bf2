using System.Reflection;
using Mono.Cecil;
using ModelCompress.Testing;

namespace ModelCompress.Build.Tasks.Tests;

/// <summary>
/// The task's .NET Framework build (what Visual Studio's MSBuild loads) uses nothing .NET Framework 4.7.2 or MSBuild's
/// own net472 assemblies lack: every assembly, type and member it references resolves against those reference
/// assemblies alone. Visual Studio cannot run here; this is the check that stands in for it.
/// </summary>
public sealed class Net472TaskAssemblyTests
{
    private static string Metadata(string key) =>
        typeof(Net472TaskAssemblyTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException(key);

    /// <summary>The net472 task build of the same configuration as this test assembly.</summary>
    private static string TaskAssemblyPath()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        var path = Path.Combine(Fixtures.RepoRoot, "src", "ModelCompress.Build.Tasks", "bin", configuration, "net472", "ModelCompress.Build.Tasks.dll");
        Assert.True(File.Exists(path), "the net472 task build is missing: " + path);
        return path;
    }

    private static ModuleDefinition Load(out DefaultAssemblyResolver resolver)
    {
        var framework = Metadata("Net472ReferenceAssemblies");
        resolver = new DefaultAssemblyResolver();
        foreach (var dir in resolver.GetSearchDirectories())
        {
            resolver.RemoveSearchDirectory(dir);
        }

        // Only .NET Framework 4.7.2 (with its facades) and MSBuild's net472 reference assemblies.
        resolver.AddSearchDirectory(framework);
        resolver.AddSearchDirectory(Path.Combine(framework, "Facades"));
        resolver.AddSearchDirectory(Metadata("MSBuildUtilitiesNet472"));
        resolver.AddSearchDirectory(Metadata("MSBuildFrameworkNet472"));
        return ModuleDefinition.ReadModule(TaskAssemblyPath(), new ReaderParameters { AssemblyResolver = resolver });
    }

    [Fact]
    public void The_net472_build_targets_dotnet_framework_472_and_every_reference_resolves_there()
    {
        using var module = Load(out var resolver);
        using var _ = resolver;

        var target = module.Assembly.CustomAttributes.Single(a => a.AttributeType.Name == "TargetFrameworkAttribute");
        Assert.Equal(".NETFramework,Version=v4.7.2", target.ConstructorArguments[0].Value);
        Assert.Contains(module.AssemblyReferences, r => r.Name == "mscorlib");
        Assert.DoesNotContain(module.AssemblyReferences, r => r.Name is "System.Private.CoreLib" or "netstandard");

        var missing = new List<string>();
        foreach (var reference in module.AssemblyReferences)
        {
            try
            {
                resolver.Resolve(reference);
            }
            catch (AssemblyResolutionException)
            {
                missing.Add("assembly " + reference.FullName);
            }
        }

        foreach (var type in module.GetTypeReferences())
        {
            if (type.Resolve() is null)
            {
                missing.Add("type " + type.FullName);
            }
        }

        foreach (var member in module.GetMemberReferences())
        {
            if (member.DeclaringType is GenericInstanceType or ArrayType)
            {
                // Members of a constructed generic or array type resolve through their element type below.
                if (member.DeclaringType.GetElementType().Resolve() is null)
                {
                    missing.Add("type " + member.DeclaringType.GetElementType().FullName);
                }

                continue;
            }

            if (member.Resolve() is null)
            {
                missing.Add("member " + member.FullName);
            }
        }

        Assert.Empty(missing);
        Assert.True(module.GetMemberReferences().Count() > 20); // the check saw the task's real use of the framework
    }

    [Fact]
    public void The_net472_build_holds_the_task_and_its_messages()
    {
        using var module = Load(out var resolver);
        using var _ = resolver;

        var task = module.GetType("ModelCompress.Build.Tasks.CompressModels");
        Assert.NotNull(task);
        Assert.Equal("Microsoft.Build.Utilities.ToolTask", task.BaseType.FullName);
        Assert.Contains(module.Resources, r => r.Name == "ModelCompress.Build.Tasks.Resources.Messages.resources");
    }
}
