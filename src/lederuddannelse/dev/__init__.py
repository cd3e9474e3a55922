"""Developer tools: benchmarks and the simulation study."""
