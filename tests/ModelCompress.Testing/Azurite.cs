using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ModelCompress.Testing;

/// <summary>
/// Azurite's blob service (the Azure Storage emulator, from npm) on a free loopback port with in-memory storage, for
/// the remote cache tests and benchmark; stopped on dispose. Found at <c>$MODELCOMPRESS_AZURITE</c> (the
/// <c>azurite-blob</c> script), else in <c>.tools/azurite</c> under the repository (what <c>build/install-azurite.sh</c>,
/// run by <c>.ci/run</c> and <c>build/test.sh</c>, installs), else on PATH. Missing, it fails with that advice rather
/// than skipping.
/// </summary>
public sealed class Azurite : IDisposable
{
    /// <summary>Azurite's built-in development account (public, documented; not a secret).</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The development account's well-known key, published with the emulator.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;

    // Azurite's working folder: anything it writes beside its in-memory store stays out of the test's own folder.
    private readonly TempDirectory _work = new();

    /// <summary>Starts the blob service and waits until it accepts connections.</summary>
    public Azurite()
    {
        Port = FreePort();
        var script = Locate();
        var start = new ProcessStartInfo(script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _work.FullPath,
        };
        foreach (var arg in new[]
        {
            "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--inMemoryPersistence", "--skipApiVersionCheck", "--silent", "--loose",
        })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start: " + script);
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening(TimeSpan.FromSeconds(60));
    }

    /// <summary>The loopback port of the blob service.</summary>
    public int Port { get; }

    /// <summary>The blob endpoint of the development account.</summary>
    public string BlobEndpoint => $"http://127.0.0.1:{Port}/{AccountName}";

    /// <summary>A connection string with the development account's key.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>The URL of container <paramref name="name"/>.</summary>
    public string ContainerUrl(string name) => BlobEndpoint + "/" + name;

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        _work.Dispose();
    }

    /// <summary>The <c>azurite-blob</c> script to run.</summary>
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable("MODELCOMPRESS_AZURITE") is { Length: > 0 } fromEnv)
        {
            return fromEnv;
        }

        var local = Path.Combine(Fixtures.RepoRoot, ".tools", "azurite", "node_modules", ".bin", "azurite-blob");
        if (File.Exists(local))
        {
            return local;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "azurite-blob");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            "Azurite (the Azure Storage emulator) is not installed: run 'bash build/install-azurite.sh' (it installs the " +
            "npm package into .tools/azurite), or set MODELCOMPRESS_AZURITE to an azurite-blob script.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void WaitUntilListening(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} before listening on port {Port}.");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        Dispose();
        throw new TimeoutException($"Azurite did not listen on port {Port} within {timeout.TotalSeconds} s.");
    }
}
