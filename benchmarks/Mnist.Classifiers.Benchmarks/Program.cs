using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project benchmarks/Mnist.Classifiers.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
