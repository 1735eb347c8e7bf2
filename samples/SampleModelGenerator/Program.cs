using ModelCompress.Onnx;
using SampleModelGenerator;

// Usage: SampleModelGenerator <output-folder>
// Writes tones.onnx (fp32), calibration.npy, validation.npy and validation-labels.npy; the same bytes every time.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: SampleModelGenerator <output-folder>");
    return 2;
}

var dir = Directory.CreateDirectory(args[0]).FullName;
var (calibration, _) = ToneClassifier.NoisyTones(128, 2.75f, seed: 1);
Npy.Write(Path.Combine(dir, "calibration.npy"), calibration, 128, ToneClassifier.Samples);
var (validation, labels) = ToneClassifier.NoisyTones(1000, 2.75f, seed: 2);
Npy.Write(Path.Combine(dir, "validation.npy"), validation, 1000, ToneClassifier.Samples);
Npy.Write(Path.Combine(dir, "validation-labels.npy"), labels, 1000);
// The model last: the sample's build treats its presence as "generated".
var model = Path.Combine(dir, "tones.onnx");
ToneClassifier.Build().Save(model + ".tmp");
File.Move(model + ".tmp", model, overwrite: true);
Console.WriteLine($"wrote {model} and its calibration/validation data");
return 0;
