using ModelCompress.Data;
using ModelCompress.Engine;

namespace ModelCompress.Tests.Engine;

public sealed class AtomicOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mc-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AtomicFile_replaces_the_file_and_leaves_no_temporary()
    {
        var path = Path.Combine(_dir, "sub", "out.bin");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        AtomicFile.WriteAllBytes(path, [4, 5]);

        Assert.Equal(new byte[] { 4, 5 }, File.ReadAllBytes(path));
        Assert.Equal(["out.bin"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void An_uncommitted_transaction_leaves_neither_final_nor_temporary_files()
    {
        var final = Path.Combine(_dir, "model.onnx");
        using (var tx = new OutputTransaction())
        {
            var temp = tx.Stage(final, [9, 9, 9]);
            Assert.True(File.Exists(temp));
            Assert.False(File.Exists(final));
        }

        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Commit_renames_every_staged_file_and_restaging_replaces_the_earlier_bytes()
    {
        var model = Path.Combine(_dir, "m.onnx");
        var report = Path.Combine(_dir, "report.json");
        using (var tx = new OutputTransaction())
        {
            tx.Stage(model, [1]);
            tx.Stage(report, [2]);
            tx.Stage(model, [3]);
            tx.Commit();
            Assert.Equal([model, report], tx.FinalPaths.Order(StringComparer.Ordinal));
        }

        Assert.Equal(new byte[] { 3 }, File.ReadAllBytes(model));
        Assert.Equal(new byte[] { 2 }, File.ReadAllBytes(report));
        Assert.Equal(2, Directory.GetFiles(_dir).Length);
    }

    [Fact]
    public void Build_file_lists_are_absolute_sorted_distinct_lines_without_bom()
    {
        var list = Path.Combine(_dir, "out.manifest");
        BuildFileLists.Write(list, [Path.Combine(_dir, "b"), Path.Combine(_dir, "a"), Path.Combine(_dir, "x", "..", "b")]);

        var bytes = File.ReadAllBytes(list);
        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Equal($"{Path.Combine(_dir, "a")}\n{Path.Combine(_dir, "b")}\n", System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal([Path.Combine(_dir, "a"), Path.Combine(_dir, "b")], BuildFileLists.Read(list));
    }
}
