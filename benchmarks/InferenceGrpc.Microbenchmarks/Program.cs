using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

// Any BenchmarkDotNet arguments: --filter '*Scheduler*', --job short (quick), --list flat.
var config = ManualConfig.Create(DefaultConfig.Instance).AddDiagnoser(MemoryDiagnoser.Default);
BenchmarkSwitcher.FromAssembly(typeof(InferenceGrpc.Microbenchmarks.ProtocolBenchmarks).Assembly).Run(args, config);
