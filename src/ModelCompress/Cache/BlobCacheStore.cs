using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace ModelCompress.Cache;

/// <summary>
/// The blob side of <see cref="RemoteLayerCache"/>: entry files as blobs named like their local path
/// (<c>[folder/]layers/ab/&lt;sha256&gt;.mce</c>). Every failure is turned into a short reason with the credential's
/// text removed; callers decide what a failure means (it never fails a run).
/// </summary>
internal sealed class BlobCacheStore
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly string[] _secrets;

    private BlobCacheStore(BlobContainerClient container, string prefix, string displayUrl, string[] secrets)
    {
        _container = container;
        _prefix = prefix;
        DisplayUrl = displayUrl;
        _secrets = secrets;
    }

    /// <summary>The container URL as shown in messages: scheme, host, path; never a query or a credential.</summary>
    public string DisplayUrl { get; }

    /// <summary>
    /// Opens the store named by <paramref name="options"/> with the credential from the environment; null with a
    /// <paramref name="problem"/> when the URL is unusable (relative, not http(s), or carrying a query string).
    /// </summary>
    public static BlobCacheStore? Open(RemoteCacheOptions options, out string displayUrl, out string problem)
    {
        displayUrl = options.ContainerUrl;
        problem = string.Empty;
        if (!Uri.TryCreate(options.ContainerUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            displayUrl = "(not an http or https URL)";
            problem = "it is not an absolute http or https URL";
            return null;
        }

        displayUrl = uri.GetLeftPart(UriPartial.Path);
        if (uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            problem = $"it carries a query string or user information; put a SAS token in {RemoteCacheOptions.SasVariable} instead";
            return null;
        }

        var parts = new BlobUriBuilder(uri);
        if (string.IsNullOrEmpty(parts.BlobContainerName))
        {
            problem = "it names no container";
            return null;
        }

        var prefix = string.IsNullOrEmpty(parts.BlobName) ? string.Empty : parts.BlobName.TrimEnd('/') + "/";
        parts.BlobName = string.Empty;
        var containerUri = parts.ToUri();
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.Mode = RetryMode.Fixed;
        clientOptions.Retry.MaxRetries = 1;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.NetworkTimeout = options.Timeout;
        try
        {
            var (container, secrets) = Connect(containerUri, options.ReadEnvironment, clientOptions);
            return new BlobCacheStore(container, prefix, displayUrl, secrets);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            // Never the exception's text: it may quote the credential.
            problem = $"the credential in {RemoteCacheOptions.ConnectionStringVariable} is malformed (the account key is not base64)";
            return null;
        }
    }

    /// <summary>The blob name of <paramref name="key"/>'s entry.</summary>
    public string NameOf(CacheKey key) =>
        string.Create(CultureInfo.InvariantCulture, $"{_prefix}{DirectoryLayerCache.FolderOf(key.Kind)}/{key.Hex[..2]}/{key.Hex}{DirectoryLayerCache.EntryExtension}");

    /// <summary>The blob's bytes; null when there is none (<paramref name="failure"/> empty) or on a failure.</summary>
    public byte[]? TryDownload(CacheKey key, out string failure)
    {
        failure = string.Empty;
        try
        {
            return _container.GetBlobClient(NameOf(key)).DownloadContent().Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            failure = Reason(ex);
            return null;
        }
    }

    /// <summary>
    /// Uploads an entry unless a blob of that name exists (content-addressed: whatever is there holds the same bytes,
    /// or is caught by verification on read). True when uploaded, false when already there; throws nothing but
    /// reports a failure in <paramref name="failure"/>.
    /// </summary>
    public bool TryUpload(CacheKey key, byte[] bytes, out string failure)
    {
        failure = string.Empty;
        try
        {
            var upload = new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
            _container.GetBlobClient(NameOf(key)).Upload(BinaryData.FromBytes(bytes), upload);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            failure = Reason(ex);
            return false;
        }
    }

    private static bool IsStoreFailure(Exception ex) =>
        ex is RequestFailedException or AggregateException or IOException or TimeoutException or OperationCanceledException
            or System.Net.Http.HttpRequestException or InvalidOperationException or FormatException or ArgumentException;

    /// <summary>One line saying what went wrong, with every credential's text replaced by <c>***</c>.</summary>
    private string Reason(Exception ex)
    {
        var text = ex is RequestFailedException r
            ? string.Create(CultureInfo.InvariantCulture, $"HTTP {r.Status}{(string.IsNullOrEmpty(r.ErrorCode) ? string.Empty : " " + r.ErrorCode)}")
            : FirstLine(ex.GetBaseException().Message);
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text.TrimEnd('.');
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    /// <summary>
    /// The container client with the environment's credential: a connection string (account key, or a SAS it
    /// holds), else a SAS token, else none (a public container, read-only). Returns the secret strings for redaction.
    /// </summary>
    private static (BlobContainerClient Client, string[] Secrets) Connect(Uri containerUri, Func<string, string?> env, BlobClientOptions options)
    {
        if (env(RemoteCacheOptions.ConnectionStringVariable) is { Length: > 0 } connection)
        {
            var fields = ConnectionFields(connection);
            if (fields.TryGetValue("AccountKey", out var key) && fields.TryGetValue("AccountName", out var account))
            {
                return (new BlobContainerClient(containerUri, new StorageSharedKeyCredential(account, key), options), [connection, key]);
            }

            if (fields.TryGetValue("SharedAccessSignature", out var sas))
            {
                return (new BlobContainerClient(containerUri, new AzureSasCredential(sas.TrimStart('?')), options), [connection, sas.TrimStart('?')]);
            }
        }

        if (env(RemoteCacheOptions.SasVariable) is { Length: > 0 } token)
        {
            return (new BlobContainerClient(containerUri, new AzureSasCredential(token.TrimStart('?')), options), [token.TrimStart('?')]);
        }

        return (new BlobContainerClient(containerUri, options), []);
    }

    /// <summary>The <c>name=value;</c> fields of a storage connection string (values may hold '=').</summary>
    private static Dictionary<string, string> ConnectionFields(string connection)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in connection.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = field.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[field[..eq]] = field[(eq + 1)..];
            }
        }

        return fields;
    }
}
