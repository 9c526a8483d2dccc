import type { Benchmark } from './suite.js';
export const fleetBenchmarks: Benchmark[] = [];
