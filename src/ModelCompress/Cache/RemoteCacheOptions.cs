namespace ModelCompress.Cache;

/// <summary>
/// Where a run shares its cache entries beyond the local folder: an Azure Blob Storage container (or Azurite). Only the
/// container URL is configuration; the credential is read from the environment when the cache is opened
/// (<see cref="ConnectionStringVariable"/> or <see cref="SasVariable"/>), so it never sits in a recipe, a project
/// file, a command line or a report.
/// </summary>
/// <param name="ContainerUrl">
/// The container's URL, optionally with a folder inside it (<c>https://account.blob.core.windows.net/cache/team-a</c>);
/// it may not carry a query string (a SAS belongs in <see cref="SasVariable"/>).
/// </param>
public sealed record RemoteCacheOptions(string ContainerUrl)
{
    /// <summary>The environment variable naming the container URL when no option or property does.</summary>
    public const string UrlVariable = "MODELCOMPRESS_REMOTE_CACHE";

    /// <summary>The environment variable holding a storage connection string (account key or SAS).</summary>
    public const string ConnectionStringVariable = "MODELCOMPRESS_REMOTE_CACHE_CONNECTION_STRING";

    /// <summary>The environment variable holding a SAS token for the container (with or without the leading '?').</summary>
    public const string SasVariable = "MODELCOMPRESS_REMOTE_CACHE_SAS";

    /// <summary>The default time one request to the store may take before the store is taken as down for the run.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long one request may take; after a failure or a timeout the run goes on without the store.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Reads an environment variable; tests replace it, runs use the process environment.</summary>
    public Func<string, string?> ReadEnvironment { get; init; } = Environment.GetEnvironmentVariable;
}
