using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace ModelCompress.Build.TestInfrastructure;

/// <summary>Reads an assembly's embedded resources from its metadata, without loading it.</summary>
internal static class ManifestResources
{
    public static IReadOnlyList<string> Names(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        return md.ManifestResources.Select(h => md.GetString(md.GetManifestResource(h).Name)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The bytes of the embedded resource <paramref name="name"/> (ECMA-335 II.24.2.4: length-prefixed blobs).</summary>
    public static byte[] Read(string assemblyPath, string name)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        foreach (var h in md.ManifestResources)
        {
            var resource = md.GetManifestResource(h);
            if (md.GetString(resource.Name) != name)
            {
                continue;
            }

            var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var block = pe.GetSectionData(directory.RelativeVirtualAddress).GetContent();
            var start = (int)resource.Offset;
            var length = BitConverter.ToInt32(block.AsSpan(start, 4));
            return block.AsSpan(start + 4, length).ToArray();
        }

        throw new KeyNotFoundException($"No resource '{name}' in {assemblyPath}; it has: {string.Join(", ", Names(assemblyPath))}");
    }
}
