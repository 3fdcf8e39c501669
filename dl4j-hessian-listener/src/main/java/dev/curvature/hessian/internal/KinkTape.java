package dev.curvature.hessian.internal;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The piecewise structure of a network at one point {@code theta}, recorded during one gradient evaluation and
 * replayed during every later one (docs/ALGORITHMS.md, section 5 "Exact Hessian-vector products").
 *
 * <p>Every kinked part of a probe copy (a {@link FrozenActivation}, {@link FrozenMaxPooling}, {@link FrozenPReLU}
 * or {@link FrozenMaxVertex}) asks the tape what to do at each call. While {@link #recording()}, it computes from its
 * input which piece it is on (slopes, offsets, masks, pooling arg-max indices) and {@link #add}s that; while
 * replaying, it {@link #take}s the entry of the same call and applies the frozen piece to whatever input it gets now.
 * Calls are matched by their order within a gradient evaluation, which DL4J keeps fixed (the same layers, time steps
 * and loss calls in the same order at every parameter value); the owner and input shape of every call are checked,
 * so a changed call sequence fails loudly instead of mixing pieces.
 *
 * <p>Not thread-safe: one tape belongs to one probe copy, used by one thread.
 */
final class KinkTape implements AutoCloseable {

    /** State of one recorded call; its arrays are detached from workspaces and closed with the tape. */
    interface Piece extends AutoCloseable {
        @Override
        void close();
    }

    private record Entry(Object owner, long[] shape, Piece piece) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private boolean recording = true;
    private int cursor;

    /** Forgets the recorded structure; the next evaluation records anew. */
    public void startRecording() {
        closeEntries();
        recording = true;
        cursor = 0;
    }

    /** Called before each gradient evaluation. */
    public void beginEvaluation() {
        cursor = 0;
    }

    /**
     * Called after each gradient evaluation: a recording evaluation switches the tape to replay; a replaying one must
     * have used every entry.
     */
    public void endEvaluation() {
        if (recording) {
            recording = false;
        } else if (cursor != entries.size()) {
            throw new IllegalStateException("the gradient evaluation made " + cursor + " kinked calls where the "
                    + "recorded one made " + entries.size() + "; the network's call sequence changed between recording "
                    + "and replay");
        }
    }

    /** True while the structure is being recorded. */
    public boolean recording() {
        return recording;
    }

    /** Number of recorded calls. */
    public int size() {
        return entries.size();
    }

    /**
     * The piece of one kinked call: while recording, made by {@code recorder} from the input (outside any workspace,
     * so it survives the evaluation) and added; while replaying, the piece recorded for the same call.
     */
    <T extends Piece> T piece(Object owner, INDArray input, Class<T> type, Function<INDArray, T> recorder) {
        if (!recording) {
            return take(owner, input, type);
        }
        T piece;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            piece = recorder.apply(input);
        }
        add(owner, input, piece);
        return piece;
    }

    void add(Object owner, INDArray input, Piece piece) {
        if (!recording) {
            piece.close();
            throw new IllegalStateException("the tape is replaying, not recording");
        }
        entries.add(new Entry(owner, input.shape(), piece));
    }

    <T extends Piece> T take(Object owner, INDArray input, Class<T> type) {
        if (recording) {
            throw new IllegalStateException("the tape is recording, not replaying");
        }
        if (cursor >= entries.size()) {
            throw new IllegalStateException("the gradient evaluation makes more kinked calls than the " + entries.size()
                    + " recorded; the network's call sequence changed between recording and replay");
        }
        Entry e = entries.get(cursor);
        if (e.owner() != owner || !Arrays.equals(e.shape(), input.shape()) || !type.isInstance(e.piece())) {
            throw new IllegalStateException("kinked call " + cursor + " was recorded for " + e.owner() + " with input "
                    + Arrays.toString(e.shape()) + " but is now made by " + owner + " with input "
                    + Arrays.toString(input.shape()) + "; the network's call sequence changed between recording and replay");
        }
        cursor++;
        return type.cast(e.piece());
    }

    private void closeEntries() {
        for (Entry e : entries) {
            e.piece().close();
        }
        entries.clear();
    }

    @Override
    public void close() {
        closeEntries();
    }
}
