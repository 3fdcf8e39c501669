/**
 * Benchmarks run by hand (not unit tests): {@link dev.curvature.hessian.bench.HvpCostBenchmark} measures the cost of a
 * Hessian-vector product in gradient evaluations and the listener's overhead at its default probing interval.
 */
package dev.curvature.hessian.bench;
