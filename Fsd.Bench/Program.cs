using BenchmarkDotNet.Running;

// Runs any benchmark class in this assembly, chosen by BenchmarkDotNet's own options, for example
//   dotnet run -c Release --project Fsd.Bench -- --filter '*ChunkCodec*'
// With no arguments it lists the benchmarks and asks which to run.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
