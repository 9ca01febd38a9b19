using BenchmarkDotNet.Running;

// Runs any benchmark class in this assembly, chosen by BenchmarkDotNet's own options, for example
//   dotnet run -c Release --project Fsd.Bench -- --filter '*ChunkCodec*'
// With no arguments it lists the benchmarks and asks which to run.
// `-- workloads [options]` runs the side-by-side file system workload suite instead (Workloads/WorkloadRunner.cs).
if (args.Length > 0 && args[0] == "workloads")
    return Layered.Fsd.Bench.Workloads.WorkloadRunner.Run(args[1..]);
if (args.Length > 0 && args[0] == "adoption")
    return Layered.Fsd.Bench.Adoption.AdoptionBenchmark.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
