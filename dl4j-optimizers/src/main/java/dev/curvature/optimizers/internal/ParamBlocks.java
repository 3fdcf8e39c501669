package dev.curvature.optimizers.internal;

import dev.curvature.optimizers.layout.ParamSpec;

/**
 * How one parameter tensor splits into equal-size blocks. Every block rule used here keeps a leading or trailing
 * group of dimensions, so the tensor always collapses to a matrix view {@code [rows, cols]} in the parameter's
 * own memory order where blocks are the rows ({@code keepDim = 0}) or the columns ({@code keepDim = 1}).
 * Block {@code k} is row (column) {@code k} of that view. Degenerate cases are flagged so the maths never
 * reduces or broadcasts over a unit dimension.
 *
 * @param spec      the parameter
 * @param rows      rows of the matrix view
 * @param cols      columns of the matrix view
 * @param keepDim   0 if blocks are rows, 1 if blocks are columns
 */
public record ParamBlocks(ParamSpec spec, long rows, long cols, int keepDim) {

    public ParamBlocks {
        if (rows < 1 || cols < 1 || rows * cols != spec.length() || (keepDim != 0 && keepDim != 1)) {
            throw new IllegalArgumentException("invalid block view [" + rows + ", " + cols + "] keep " + keepDim
                    + " for " + spec);
        }
    }

    public char order() {
        return spec.order();
    }

    public long numBlocks() {
        return keepDim == 0 ? rows : cols;
    }

    /** Elements per block. */
    public long blockSize() {
        return keepDim == 0 ? cols : rows;
    }

    public long length() {
        return rows * cols;
    }

    /** The matrix view's dimension summed within a block. */
    public int reduceDim() {
        return 1 - keepDim;
    }

    /**
     * Memory order of the block-column view {@code [blockSize, numBlocks]} of the same storage, where block
     * {@code k} is column {@code k}: the parameter's order when blocks are columns, the other order when blocks
     * are rows (a row of a 'c' matrix is a column of its 'f' transpose over the same memory).
     */
    public char columnOrder() {
        char o = spec.order();
        return keepDim == 1 ? o : (o == 'c' ? 'f' : 'c');
    }

    /** Every element its own block (Adam). */
    public boolean elementwise() {
        return blockSize() == 1;
    }

    /** The whole tensor is one block. */
    public boolean whole() {
        return numBlocks() == 1;
    }

    @Override
    public String toString() {
        return spec.label() + ": " + numBlocks() + " blocks of " + blockSize();
    }
}
