using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Importers;
using StoryTeller.Generator;

// Usage:
//   model <checkpoint.bin> <tokenizer.bin> <out-dir>   writes out-dir/story.onnx (fp32, key/value cache) and
//                                                      out-dir/tokenizer.bin (a copy of the tokenizer)
//   synthetic <out-dir> [seed]                         writes a seeded random stories15M-shaped checkpoint and a
//                                                      32000-piece tokenizer: out-dir/stories15M-synthetic.bin, tok32000-synthetic.bin
try
{
    switch (args)
    {
        case ["model", var checkpoint, var tokenizer, var outDir]:
            Directory.CreateDirectory(outDir);
            var model = KvCacheModelWriter.Write(Llama2cCheckpoint.Load(checkpoint));
            model.Save(Path.Combine(outDir, "story.onnx"));
            // A fresh file (not File.Copy): the copy gets today's time and ordinary permissions, whatever the source's.
            File.WriteAllBytes(Path.Combine(outDir, "tokenizer.bin.tmp"), File.ReadAllBytes(tokenizer));
            File.Move(Path.Combine(outDir, "tokenizer.bin.tmp"), Path.Combine(outDir, "tokenizer.bin"), overwrite: true);
            Console.WriteLine($"StoryTeller.Generator: {checkpoint} -> {Path.Combine(outDir, "story.onnx")} (key/value cache, fp32)");
            return 0;
        case ["synthetic", var outDir, ..]:
            Directory.CreateDirectory(outDir);
            var seed = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 15;
            SyntheticLlama2c.WriteCheckpoint(Path.Combine(outDir, "stories15M-synthetic.bin"), SyntheticLlama2c.Stories15M, seed);
            SyntheticLlama2c.WriteTokenizer(Path.Combine(outDir, "tok32000-synthetic.bin"), SyntheticLlama2c.Stories15M.Vocab);
            Console.WriteLine($"StoryTeller.Generator: wrote a stories15M-shaped checkpoint (seed {seed}) and tokenizer to {outDir}");
            return 0;
        default:
            Console.Error.WriteLine("usage: model <checkpoint.bin> <tokenizer.bin> <out-dir> | synthetic <out-dir> [seed]");
            return 2;
    }
}
catch (ModelCompressException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
