"""Published benchmarks mapped onto the engine."""
