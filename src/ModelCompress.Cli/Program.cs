// The verbs (run, verify, inspect, init) arrive with the pipeline work; until then the tool only reports its version.
Console.WriteLine("dotnet-model-compress " + typeof(Program).Assembly.GetName().Version);
return 0;
