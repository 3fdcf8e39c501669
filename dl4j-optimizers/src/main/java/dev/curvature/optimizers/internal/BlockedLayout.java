package dev.curvature.optimizers.internal;

import dev.curvature.optimizers.layout.ParamLayout;

import dev.curvature.optimizers.layout.ParamSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * A sequence of parameters with their blocks, and where each sits in the flat parameter array
 * ({@link #paramOffset}) and in the flat array of per-block values ({@link #blockOffset}).
 */
public final class BlockedLayout {
    private final List<ParamBlocks> params;
    private final long[] paramOffsets;
    private final long[] blockOffsets;
    private final long length;
    private final long numBlocks;

    public BlockedLayout(List<ParamBlocks> params) {
        this.params = List.copyOf(params);
        this.paramOffsets = new long[params.size() + 1];
        this.blockOffsets = new long[params.size() + 1];
        for (int i = 0; i < params.size(); i++) {
            paramOffsets[i + 1] = paramOffsets[i] + params.get(i).length();
            blockOffsets[i + 1] = blockOffsets[i] + params.get(i).numBlocks();
        }
        this.length = paramOffsets[params.size()];
        this.numBlocks = blockOffsets[params.size()];
    }

    /** The Adam-mini blocks of every parameter of {@code layout}. */
    public static BlockedLayout adamMini(ParamLayout layout) {
        List<ParamBlocks> list = new ArrayList<>();
        for (ParamSpec p : layout.params()) {
            list.add(AdamMiniPartition.blocks(p));
        }
        return new BlockedLayout(list);
    }

    public List<ParamBlocks> params() {
        return params;
    }

    public int size() {
        return params.size();
    }

    public ParamBlocks param(int i) {
        return params.get(i);
    }

    public long paramOffset(int i) {
        return paramOffsets[i];
    }

    public long blockOffset(int i) {
        return blockOffsets[i];
    }

    /** Total parameter elements. */
    public long length() {
        return length;
    }

    /** Total blocks. */
    public long numBlocks() {
        return numBlocks;
    }
}
