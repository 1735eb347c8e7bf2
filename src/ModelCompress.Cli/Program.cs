// dotnet model-compress: compress, verify, inspect and scaffold ONNX model recipes.
// The verbs live in one class each (RunCommand, VerifyCommand, InspectCommand, InitCommand); exit codes in ExitCode.
using ModelCompress.Cli;

return await CliApp.InvokeAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
