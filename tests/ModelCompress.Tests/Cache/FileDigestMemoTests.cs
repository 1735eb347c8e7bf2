using System.Security.Cryptography;
using ModelCompress.Cache;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// The file-digest memo: an unchanged file is not read again; any change the stamp can show (content, length, a
/// restored last-write time when the change time moved) hashes it again; a digest taken within the timestamp
/// granularity of the file's last change is never trusted; a damaged or foreign memo entry is ignored.
/// </summary>
public sealed class FileDigestMemoTests
{
    // Hashing "later" than the file's last change by more than the granularity, as a rerun minutes later does.
    private static FileDigestMemo Later(string cache) => new(cache, () => DateTime.UtcNow.AddSeconds(10));

    [Fact]
    public void Unchanged_file_is_read_once_across_runs()
    {
        using var dir = new TempDirectory();
        var data = dir.File("data.bin");
        File.WriteAllBytes(data, [1, 2, 3, 4]);
        var first = Later(dir.File("cache"));
        var digest = first.Sha256(data);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(data)), digest);
        Assert.Equal((1, 0), (first.Hashed, first.Remembered));

        var second = Later(dir.File("cache"));
        Assert.Equal(digest, second.Sha256(data));
        Assert.Equal((0, 1), (second.Hashed, second.Remembered));
    }

    [Fact]
    public void Same_length_edit_with_restored_mtime_is_detected_by_the_change_time()
    {
        if (!OperatingSystem.IsLinux())
        {
            // The change time is read on Linux only; elsewhere the granularity rule below is what protects.
            return;
        }

        using var dir = new TempDirectory();
        var data = dir.File("data.bin");
        File.WriteAllBytes(data, [1, 2, 3, 4]);
        var mtime = File.GetLastWriteTimeUtc(data);
        Assert.True(FileStamp.Of(data)!.Value.HasChangeTime);
        var before = Later(dir.File("cache")).Sha256(data);

        // Wait past the change time's resolution, then edit one byte and put the last-write time back.
        Thread.Sleep(20);
        File.WriteAllBytes(data, [1, 2, 9, 4]);
        File.SetLastWriteTimeUtc(data, mtime);
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(data));

        var memo = Later(dir.File("cache"));
        var after = memo.Sha256(data);
        Assert.NotEqual(before, after);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(data)), after);
        Assert.Equal((1, 0), (memo.Hashed, memo.Remembered));
    }

    [Fact]
    public void Digest_taken_right_after_a_change_is_not_trusted()
    {
        using var dir = new TempDirectory();
        var data = dir.File("data.bin");
        File.WriteAllBytes(data, [1, 2, 3, 4]);

        // Hashed at "now": the file changed within the granularity, so nothing is remembered.
        var now = new FileDigestMemo(dir.File("cache"));
        now.Sha256(data);
        Assert.False(File.Exists(now.EntryPath(Path.GetFullPath(data))));

        // Even an edit that keeps the length and the last-write time is then seen by the next run.
        var mtime = File.GetLastWriteTimeUtc(data);
        File.WriteAllBytes(data, [4, 3, 2, 1]);
        File.SetLastWriteTimeUtc(data, mtime);
        var next = Later(dir.File("cache"));
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(data)), next.Sha256(data));
        Assert.Equal(1, next.Hashed);
    }

    [Fact]
    public void Damaged_or_foreign_memo_entry_is_ignored()
    {
        using var dir = new TempDirectory();
        var data = dir.File("data.bin");
        var other = dir.File("other.bin");
        File.WriteAllBytes(data, [1, 2, 3, 4]);
        File.WriteAllBytes(other, [5, 6, 7, 8]);
        var memo = Later(dir.File("cache"));
        var digest = memo.Sha256(data);
        memo.Sha256(other);
        var entry = memo.EntryPath(Path.GetFullPath(data))!;
        var otherEntry = memo.EntryPath(Path.GetFullPath(other))!;
        var good = File.ReadAllBytes(entry);

        // One flipped bit in the stored digest: the entry's checksum no longer matches.
        var bad = (byte[])good.Clone();
        bad[^40] ^= 1;
        File.WriteAllBytes(entry, bad);
        AssertHashedAgain(dir, data, digest);

        // Truncated, empty, and another file's (intact) entry under this file's name.
        foreach (var content in new[] { good[..(good.Length / 2)], [], File.ReadAllBytes(otherEntry) })
        {
            File.WriteAllBytes(entry, content);
            AssertHashedAgain(dir, data, digest);
        }
    }

    private static void AssertHashedAgain(TempDirectory dir, string data, byte[] digest)
    {
        var memo = Later(dir.File("cache"));
        Assert.Equal(digest, memo.Sha256(data));
        Assert.Equal((1, 0), (memo.Hashed, memo.Remembered));
    }
}
