package dev.curvature.optimizers.internal;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseDivision;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Square;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * The array maths of block-wise second moments over a flat array laid out as a {@link BlockedLayout}: block sums of
 * squares (Adam-mini's {@code v}, the Hessian listener's block norms), block means, and scaling every element by a
 * value of its block. One kernel for every caller.
 *
 * <p>How: neighbouring parameters whose blocks have the same size and are each contiguous in memory (the columns of
 * DL4J's {@code 'f'} dense weights, the output channels of its {@code 'c'} convolution weights, biases, whole
 * tensors of equal length) form one <em>run</em>, seen as a single block-column matrix {@code [blockSize,
 * numBlocks]} over their storage (no copy). A block sum of squares is then one reduction over dimension 0 per run,
 * scaling one broadcasting multiply per run (element-wise for runs of size-1 blocks); a parameter whose blocks are
 * strided (an {@code 'f'} embedding's rows) is a run of its own. The number of ND4J ops is a fixed number per run,
 * never per block or element, on any backend and data type.
 *
 * <p>Why not a single segment reduction over the whole flat array: ND4J 1.0.0-M2.1 has {@code segment_sum},
 * {@code unsorted_segment_sum}, {@code bincount}, {@code gather} and {@code repeat}, but on this project's CPU
 * backend they run at 60-600 ms for 670,000 floats, against about 0.1 ms for one element-wise op (measured while
 * writing this class), so a run-based plan is the fast one.
 *
 * <p>Why prepared ops: on small arrays building an ND4J op costs more than running it (a reduction over dimension 0
 * took 28 us to build and run, 9 us to run when built once), so {@link #squareSums} and {@link #scale} return
 * {@link Ops} built once for fixed arrays and run at every step.
 */
public final class BlockMoments {
    private final BlockedLayout layout;
    private final List<Run> runs;

    /**
     * Adjacent parameters seen through one view.
     *
     * @param offset      first element in the flat values
     * @param length      elements covered
     * @param blockOffset first block in the flat per-block values
     * @param numBlocks   blocks covered
     * @param blockSize   elements per block
     * @param columnOrder memory order of the {@code [blockSize, numBlocks]} view ('f': every block contiguous)
     */
    record Run(long offset, long length, long blockOffset, long numBlocks, long blockSize, char columnOrder) {
        boolean elementwise() {
            return blockSize == 1;
        }

        /** The values of this run: a 1-D slice for size-1 blocks, else the block-column matrix. */
        INDArray values(INDArray flat) {
            INDArray seg = flat.get(NDArrayIndex.interval(offset, offset + length));
            return elementwise() ? seg : Views.reshape(seg, columnOrder, blockSize, numBlocks);
        }

        /** This run's slice of a flat array of per-block values. */
        INDArray blocks(INDArray flatBlocks) {
            return flatBlocks.get(NDArrayIndex.interval(blockOffset, blockOffset + numBlocks));
        }
    }

    public BlockMoments(BlockedLayout layout) {
        this.layout = layout;
        this.runs = runs(layout);
    }

    private static boolean contiguousBlocks(ParamBlocks b) {
        return b.elementwise() || b.whole() || b.columnOrder() == 'f';
    }

    private static List<Run> runs(BlockedLayout layout) {
        List<Run> list = new ArrayList<>();
        Run open = null;
        for (int i = 0; i < layout.size(); i++) {
            ParamBlocks b = layout.param(i);
            boolean contiguous = contiguousBlocks(b);
            if (open != null && contiguous && open.columnOrder() == 'f' && open.blockSize() == b.blockSize()) {
                open = new Run(open.offset(), open.length() + b.length(), open.blockOffset(),
                        open.numBlocks() + b.numBlocks(), open.blockSize(), 'f');
                list.set(list.size() - 1, open);
                continue;
            }
            open = new Run(layout.paramOffset(i), b.length(), layout.blockOffset(i), b.numBlocks(), b.blockSize(),
                    contiguous ? 'f' : b.columnOrder());
            list.add(open);
        }
        return List.copyOf(list);
    }

    public BlockedLayout layout() {
        return layout;
    }

    /** Number of runs (views) the kernel uses: its ND4J op count per call is a fixed multiple of this. */
    public int runCount() {
        return runs.size();
    }

    /** {@code out[k] = sum over block k of values^2}, for every block, as one call (builds its ops each time). */
    public static void blockSquareSums(INDArray values, BlockedLayout layout, INDArray out) {
        new BlockMoments(layout).squareSums(Views.flat(values), Views.flat(out)).run();
    }

    /**
     * Ops computing {@code out[k] = sum over block k of values^2}.
     *
     * @param values rank-1, {@link BlockedLayout#length()} values
     * @param out    rank-1, {@link BlockedLayout#numBlocks()} values
     */
    public Ops squareSums(INDArray values, INDArray out) {
        Ops ops = new Ops();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (Run r : runs) {
                if (r.elementwise()) {
                    ops.add(new Square(r.values(values), r.blocks(out)));
                } else {
                    ops.add(new SquaredNorm(r.values(values), r.blocks(out), 0));
                }
            }
        }
        return ops;
    }

    /**
     * Ops computing {@code dst[e] = src[e] * factors[block(e)]} for every element; {@code dst} may be {@code src}.
     *
     * @param src     rank-1, {@link BlockedLayout#length()} values
     * @param factors rank-1, {@link BlockedLayout#numBlocks()} values
     * @param dst     rank-1, {@link BlockedLayout#length()} values
     */
    public Ops scale(INDArray src, INDArray factors, INDArray dst) {
        Ops ops = new Ops();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (Run r : runs) {
                // element-wise for size-1 blocks; else [numBlocks] broadcasts over the block columns
                ops.add(new MulOp(r.values(src), r.blocks(factors), r.values(dst)));
            }
        }
        return ops;
    }

    /**
     * {@code target[k] += weight * sums[k] / size(block k)} for every block: block sums to weighted block means,
     * with one BLAS call per run.
     */
    public void addBlockMeans(INDArray sums, double weight, INDArray target) {
        for (Run r : runs) {
            Level1.axpy(weight / r.blockSize(), r.blocks(sums), r.blocks(target));
        }
    }

    /**
     * {@code out = alpha / (sqrt(v) + delta)} element-wise, three ND4J ops built once for fixed arrays; the
     * scalars change per call. Adam's denominator, on per-block values.
     */
    public static final class InverseRoot {
        private final INDArray delta;
        private final INDArray alpha;
        private final Ops ops = new Ops();

        public InverseRoot(INDArray v, INDArray out) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                delta = Nd4j.scalar(out.dataType(), 0.0);
                alpha = Nd4j.scalar(out.dataType(), 1.0);
                ScalarAdd add = new ScalarAdd(out, null, out, 0.0);
                add.setScalar(delta);
                ScalarReverseDivision rdiv = new ScalarReverseDivision(out, null, out, 1.0);
                rdiv.setScalar(alpha);
                ops.add(new Sqrt(v, out));
                ops.add(add);
                ops.add(rdiv);
            }
        }

        public void apply(double delta, double alpha) {
            this.delta.putScalar(0, delta);
            this.alpha.putScalar(0, alpha);
            ops.run();
        }

        /** Elements this object holds (its two scalars). */
        public long ownedElements() {
            return 2;
        }
    }

    /** A fixed sequence of ND4J ops over fixed arrays, built once and run at every step. */
    public static final class Ops {
        private final List<Object> ops = new ArrayList<>();

        void add(Object op) {
            ops.add(op);
        }

        public void run() {
            for (Object op : ops) {
                if (op instanceof CustomOp c) {
                    Nd4j.exec(c);
                } else {
                    Nd4j.exec((Op) op);
                }
            }
        }

        /** Number of ND4J ops per run. */
        public int size() {
            return ops.size();
        }
    }
}
