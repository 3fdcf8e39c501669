/**
 * Spark examples of the curvature optimizers: {@link dev.curvature.examples.spark.SparkFashionMnist} trains the
 * Fashion-MNIST MLP under Spark parameter averaging; {@link dev.curvature.examples.spark.SparkBenchmark} compares
 * single-machine, Spark and ParallelWrapper training of Adam, AdamMini and Muon on one task.
 */
package dev.curvature.examples.spark;
