using Azure.Storage.Blobs;
using ModelCompress.Cache;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Cache;

/// <summary>One Azurite blob service for the remote cache tests, started before the first and stopped after the last.</summary>
public sealed class AzuriteFixture : IDisposable
{
    private int _containers;

    public Azurite Server { get; } = new();

    /// <summary>A new, empty container's URL (each test gets its own, so tests never see each other's entries).</summary>
    public string NewContainer()
    {
        var name = "cache" + Interlocked.Increment(ref _containers).ToString(System.Globalization.CultureInfo.InvariantCulture);
        new BlobServiceClient(Server.ConnectionString).GetBlobContainerClient(name).Create();
        return Server.ContainerUrl(name);
    }

    /// <summary>Remote cache options for <paramref name="url"/> with the development account's connection string.</summary>
    public RemoteCacheOptions Options(string url) =>
        new(url) { ReadEnvironment = Env(RemoteCacheOptions.ConnectionStringVariable, Server.ConnectionString) };

    /// <summary>The blobs of the container at <paramref name="url"/>.</summary>
    public BlobContainerClient Container(string url) =>
        new BlobServiceClient(Server.ConnectionString).GetBlobContainerClient(new Uri(url).Segments[^1]);

    /// <summary>An environment holding only <paramref name="name"/> = <paramref name="value"/>.</summary>
    public static Func<string, string?> Env(string name, string value) => n => n == name ? value : null;

    public void Dispose() => Server.Dispose();
}

/// <summary>Shares one <see cref="AzuriteFixture"/> between the remote cache test classes.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
