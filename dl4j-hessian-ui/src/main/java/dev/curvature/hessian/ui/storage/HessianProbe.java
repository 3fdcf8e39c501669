package dev.curvature.hessian.ui.storage;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.BlockLabel;
import dev.curvature.hessian.LayerSummary;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One Hessian probe of {@link dev.curvature.hessian.HessianBlockListener} as it is stored in a DL4J
 * {@code StatsStorage} and shown by the UI tab: who posted it (session, worker), when (timestamp, iteration,
 * epoch), how it was measured, the two block-structure ratios with standard errors, the spectrum and trace, the
 * block norms with their labels, and the per-layer summaries. Immutable; arrays are copied in and out.
 *
 * <p>Block norms are kept as the report measures them: for every probed block {@code j} (increasing in
 * {@link #probedBlocks()}) its column {@code ||H_ij||_F} over all blocks {@code i}. {@link #blockNorm(int, int)}
 * fills in the rest by symmetry and gives NaN for a pair of two unprobed blocks, as
 * {@link BlockHessianReport#blockNorm(int, int)} does.
 *
 * @param sessionId                          the StatsStorage session
 * @param workerId                           the worker (one training JVM or thread) within the session
 * @param timestamp                          milliseconds since the epoch; the key of this update in the storage,
 *                                           unique per (session, worker)
 * @param iteration                          training iteration of the probe
 * @param epoch                              training epoch of the probe
 * @param method                             {@code EXACT} or {@code STOCHASTIC}
 * @param partition                          description of the block partition
 * @param parameters                         parameters in the partition
 * @param probesPerBlock                     Rademacher probes per probed block (1 in exact mode)
 * @param hessianVectorProducts              Hessian-vector products the probe took
 * @param elapsedMillis                      wall-clock time of the probe
 * @param pairwiseRatio                      RMS off-diagonal over RMS diagonal block norm
 * @param pairwiseRatioStandardError         its standard error
 * @param offDiagonalMassRatio               {@code ||H_off||_F / ||H_diag||_F}
 * @param offDiagonalMassRatioStandardError  its standard error
 * @param topEigenvalue                      largest Ritz value (NaN if not computed)
 * @param bottomEigenvalue                   smallest Ritz value (NaN if not computed)
 * @param trace                              trace of the restricted Hessian
 * @param traceStandardError                 its standard error
 * @param labels                             label of every block, indexed by block
 * @param probedBlocks                       the probed blocks, strictly increasing
 * @param blockNormColumns                   {@code blockNormColumns[p][i] = ||H_ij||_F} for {@code j = probedBlocks[p]}
 * @param layers                             per-layer summaries in parameter order
 * @param notExact                           units whose Hessian-vector products were not exact
 *                                           ({@link BlockHessianReport#notExact()}); empty when all were
 */
public record HessianProbe(String sessionId, String workerId, long timestamp, long iteration, int epoch, String method,
                           String partition, long parameters, int probesPerBlock, long hessianVectorProducts,
                           long elapsedMillis, double pairwiseRatio, double pairwiseRatioStandardError,
                           double offDiagonalMassRatio, double offDiagonalMassRatioStandardError,
                           double topEigenvalue, double bottomEigenvalue, double trace, double traceStandardError,
                           List<BlockLabel> labels, int[] probedBlocks, double[][] blockNormColumns,
                           List<LayerSummary> layers, List<String> notExact) {

    /**
     * Validates the shape of the block data and copies every array and list.
     *
     * @throws IllegalArgumentException naming the first inconsistency
     */
    public HessianProbe {
        requireText(sessionId, "sessionId");
        requireText(workerId, "workerId");
        requireNonNull(method, "method");
        requireNonNull(partition, "partition");
        requireNonNull(labels, "labels");
        requireNonNull(probedBlocks, "probedBlocks");
        requireNonNull(blockNormColumns, "blockNormColumns");
        requireNonNull(layers, "layers");
        requireNonNull(notExact, "notExact");
        notExact = List.copyOf(notExact);
        labels = List.copyOf(labels);
        layers = List.copyOf(layers);
        probedBlocks = probedBlocks.clone();
        int b = labels.size();
        for (int p = 0; p < probedBlocks.length; p++) {
            int j = probedBlocks[p];
            if (j < 0 || j >= b || (p > 0 && j <= probedBlocks[p - 1])) {
                throw new IllegalArgumentException("probedBlocks must be strictly increasing block indices in [0, "
                        + b + "), got " + Arrays.toString(probedBlocks));
            }
        }
        if (blockNormColumns.length != probedBlocks.length) {
            throw new IllegalArgumentException("blockNormColumns needs one column per probed block ("
                    + probedBlocks.length + "), got " + blockNormColumns.length);
        }
        double[][] columns = new double[blockNormColumns.length][];
        for (int p = 0; p < columns.length; p++) {
            if (blockNormColumns[p] == null || blockNormColumns[p].length != b) {
                throw new IllegalArgumentException("block norm column " + p + " must have one entry per block (" + b
                        + "), got " + (blockNormColumns[p] == null ? "null" : blockNormColumns[p].length));
            }
            columns[p] = blockNormColumns[p].clone();
        }
        blockNormColumns = columns;
    }

    /** As the canonical constructor with an empty {@link #notExact()}: every product exact. */
    public HessianProbe(String sessionId, String workerId, long timestamp, long iteration, int epoch, String method,
                        String partition, long parameters, int probesPerBlock, long hessianVectorProducts,
                        long elapsedMillis, double pairwiseRatio, double pairwiseRatioStandardError,
                        double offDiagonalMassRatio, double offDiagonalMassRatioStandardError, double topEigenvalue,
                        double bottomEigenvalue, double trace, double traceStandardError, List<BlockLabel> labels,
                        int[] probedBlocks, double[][] blockNormColumns, List<LayerSummary> layers) {
        this(sessionId, workerId, timestamp, iteration, epoch, method, partition, parameters, probesPerBlock,
                hessianVectorProducts, elapsedMillis, pairwiseRatio, pairwiseRatioStandardError, offDiagonalMassRatio,
                offDiagonalMassRatioStandardError, topEigenvalue, bottomEigenvalue, trace, traceStandardError, labels,
                probedBlocks, blockNormColumns, layers, List.of());
    }

    /**
     * The probe of {@code report} for the given session and worker, stored under {@code timestamp}.
     *
     * @param timestamp the storage key in milliseconds (normally {@code report.timestamp().toEpochMilli()})
     */
    public static HessianProbe of(BlockHessianReport report, String sessionId, String workerId, long timestamp) {
        requireNonNull(report, "report");
        int[] probed = report.probedBlocks();
        int b = report.blockCount();
        double[][] columns = new double[probed.length][b];
        for (int p = 0; p < probed.length; p++) {
            for (int i = 0; i < b; i++) {
                columns[p][i] = report.blockNorm(i, probed[p]);
            }
        }
        return new HessianProbe(sessionId, workerId, timestamp, report.iteration(), report.epoch(),
                report.method().name(), report.partition(), report.parameters(), report.probesPerBlock(),
                report.hessianVectorProducts(), report.elapsed().toMillis(), report.pairwiseRatio(),
                report.pairwiseRatioStandardError(), report.offDiagonalMassRatio(),
                report.offDiagonalMassRatioStandardError(), report.topEigenvalue(), report.bottomEigenvalue(),
                report.trace(), report.traceStandardError(), report.labels(), probed, columns, report.layers(),
                report.notExact());
    }

    /** Number of blocks {@code B}. */
    public int blockCount() {
        return labels.size();
    }

    /** The probed blocks (a copy). */
    @Override
    public int[] probedBlocks() {
        return probedBlocks.clone();
    }

    /** The measured columns (a deep copy); see the class comment. */
    @Override
    public double[][] blockNormColumns() {
        double[][] copy = new double[blockNormColumns.length][];
        for (int p = 0; p < copy.length; p++) {
            copy[p] = blockNormColumns[p].clone();
        }
        return copy;
    }

    /** {@code ||H_ij||_F}: measured if {@code j} or (by symmetry) {@code i} was probed, NaN otherwise. */
    public double blockNorm(int i, int j) {
        int b = blockCount();
        if (i < 0 || i >= b || j < 0 || j >= b) {
            throw new IndexOutOfBoundsException("block pair (" + i + ", " + j + ") outside [0, " + b + ")");
        }
        int p = Arrays.binarySearch(probedBlocks, j);
        if (p >= 0) {
            return blockNormColumns[p][i];
        }
        int q = Arrays.binarySearch(probedBlocks, i);
        return q >= 0 ? blockNormColumns[q][j] : Double.NaN;
    }

    /** Value equality, arrays by content (NaN equals NaN, as in {@link Double#equals}). */
    @Override
    public boolean equals(Object o) {
        return o instanceof HessianProbe h && timestamp == h.timestamp && iteration == h.iteration
                && epoch == h.epoch && parameters == h.parameters && probesPerBlock == h.probesPerBlock
                && hessianVectorProducts == h.hessianVectorProducts && elapsedMillis == h.elapsedMillis
                && same(pairwiseRatio, h.pairwiseRatio) && same(pairwiseRatioStandardError, h.pairwiseRatioStandardError)
                && same(offDiagonalMassRatio, h.offDiagonalMassRatio)
                && same(offDiagonalMassRatioStandardError, h.offDiagonalMassRatioStandardError)
                && same(topEigenvalue, h.topEigenvalue) && same(bottomEigenvalue, h.bottomEigenvalue)
                && same(trace, h.trace) && same(traceStandardError, h.traceStandardError)
                && sessionId.equals(h.sessionId) && workerId.equals(h.workerId) && method.equals(h.method)
                && partition.equals(h.partition) && labels.equals(h.labels)
                && Arrays.equals(probedBlocks, h.probedBlocks) && Arrays.deepEquals(blockNormColumns, h.blockNormColumns)
                && layers.equals(h.layers) && notExact.equals(h.notExact);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sessionId, workerId, timestamp, iteration, Arrays.hashCode(probedBlocks),
                Arrays.deepHashCode(blockNormColumns), pairwiseRatio, offDiagonalMassRatio);
    }

    /** A one-line summary (no block data). */
    @Override
    public String toString() {
        return "HessianProbe[session " + sessionId + ", worker " + workerId + ", iteration " + iteration
                + ", pairwiseRatio " + pairwiseRatio + " ± " + pairwiseRatioStandardError + ", offDiagonalMassRatio "
                + offDiagonalMassRatio + " ± " + offDiagonalMassRatioStandardError + ", " + blockCount() + " blocks ("
                + probedBlocks.length + " probed), " + layers.size() + " layers"
                + (notExact.isEmpty() ? "" : ", not exact: " + String.join(", ", notExact)) + "]";
    }

    private static boolean same(double a, double b) {
        return Double.compare(a, b) == 0;
    }

    static void requireNonNull(Object o, String name) {
        if (o == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }

    static void requireText(String s, String name) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException(name + " must be a non-empty string, got "
                    + (s == null ? "null" : "\"\""));
        }
    }
}
