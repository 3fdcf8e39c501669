package dev.curvature.hessian.internal;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationPReLU;
import org.nd4j.linalg.activations.impl.ActivationRReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationRectifiedTanh;
import org.nd4j.linalg.activations.impl.ActivationSELU;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An activation function whose pieces are frozen at the probe point: at every unit it applies the smooth piece the
 * unit was on when the {@link KinkTape} recorded, whatever its input is now. The frozen network has the same value,
 * gradient and Hessian as the original at the recorded point and is smooth around it, so central differences of its
 * gradients give the Hessian exactly up to {@code O(step^2)} (docs/ALGORITHMS.md, section 5 "Exact Hessian-vector products").
 *
 * <p>Three kinds:
 * <ul>
 *   <li>Piecewise-linear activations (ReLU with its threshold and cap, ReLU6, leaky ReLU, PReLU with fixed slopes,
 *       thresholded ReLU, hard tanh, hard sigmoid): per unit {@code f(x) = s x + c} with the slope
 *       {@code s = f'(x0)} taken from the activation's own backpropagation, so DL4J's convention at a kink holds
 *       (relu'(0) = 0, like autograd), and {@code c = f(x0) - s x0}.</li>
 *   <li>RReLU: training-mode slopes are drawn at random at every call; a probe uses the fixed slope
 *       {@code (l + u) / 2} for negative inputs (the mean of the distribution, DL4J's test-time slope), so the probed
 *       function is deterministic.</li>
 *   <li>Activations made of two smooth pieces joined at 0 (ELU, SELU, rectified tanh): a mask says which piece,
 *       {@code x0 > 0} or, at exactly 0, the piece whose derivative DL4J's backpropagation uses there; the frozen
 *       function evaluates that piece's formula.</li>
 * </ul>
 *
 * <p>Cost per call: one or two element-wise operations, about what the original activation costs. Memory: the
 * recorded slopes (and offsets or masks) of every call of one gradient evaluation, in DOUBLE.
 */
final class FrozenActivation extends BaseActivationFunction {

    private enum Kind { PIECEWISE_LINEAR, RRELU, ELU, SELU, RECTIFIED_TANH }

    private static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    private static final double SELU_LAMBDA = 1.0507009873554804934193349852946;

    private final IActivation original;
    private final Kind kind;
    private final KinkTape tape;

    private FrozenActivation(IActivation original, Kind kind, KinkTape tape) {
        this.original = original;
        this.kind = kind;
        this.tape = tape;
    }

    /** True for activations whose derivative (or second derivative) jumps: those a probe must freeze. */
    static boolean kinked(IActivation a) {
        return kindOf(a) != null;
    }

    /** The frozen version of {@code a}, or {@code a} itself when it is smooth. */
    static IActivation freeze(IActivation a, KinkTape tape) {
        if (a instanceof FrozenActivation f) {
            return new FrozenActivation(f.original, f.kind, tape); // bound to this tape, never another copy's
        }
        Kind kind = kindOf(a);
        return kind == null ? a : new FrozenActivation(a, kind, tape);
    }

    private static Kind kindOf(IActivation a) {
        if (a instanceof ActivationReLU || a instanceof ActivationReLU6 || a instanceof ActivationLReLU
                || a instanceof ActivationPReLU || a instanceof ActivationThresholdedReLU
                || a instanceof ActivationHardTanH || a instanceof ActivationHardSigmoid) {
            return Kind.PIECEWISE_LINEAR;
        }
        if (a instanceof ActivationRReLU) {
            return Kind.RRELU;
        }
        if (a instanceof ActivationELU) {
            return Kind.ELU;
        }
        if (a instanceof ActivationSELU) {
            return Kind.SELU;
        }
        if (a instanceof ActivationRectifiedTanh) {
            return Kind.RECTIFIED_TANH;
        }
        return null;
    }

    /** Slope and optional offset per unit: {@code f(x) = s x + c}. */
    private record Linear(INDArray slope, INDArray offset) implements KinkTape.Piece {
        @Override
        public void close() {
            slope.close();
            if (offset != null) {
                offset.close();
            }
        }
    }

    /** 1 where the unit is on the right-hand piece, 0 on the left-hand piece. */
    private record TwoPiece(INDArray right) implements KinkTape.Piece {
        @Override
        public void close() {
            right.close();
        }
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return apply(piece(in), in);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        KinkTape.Piece piece = piece(in);
        if (piece instanceof Linear l) {
            in.assign(l.slope()).muli(epsilon);
        } else {
            derivative((TwoPiece) piece, in).muli(epsilon);
        }
        return new Pair<>(in, null);
    }

    private KinkTape.Piece piece(INDArray in) {
        return tape.piece(this, in, KinkTape.Piece.class, this::record);
    }

    private KinkTape.Piece record(INDArray in) {
        INDArray x0 = in.dup();
        switch (kind) {
            case PIECEWISE_LINEAR -> {
                INDArray slope = original.backprop(x0.dup(), Nd4j.onesLike(x0)).getFirst().dup();
                INDArray offset = original.getActivation(x0.dup(), true).subi(slope.mul(x0));
                x0.close();
                if (offset.amaxNumber().doubleValue() == 0.0) {
                    offset.close();
                    offset = null;
                }
                return new Linear(slope, offset);
            }
            case RRELU -> {
                ActivationRReLU r = (ActivationRReLU) original;
                double a = 0.5 * (r.getL() + r.getU());
                // DL4J's RReLU backpropagation uses the random slope where x <= 0 (also at 0)
                INDArray positive = x0.gt(0.0).castTo(x0.dataType());
                INDArray slope = positive.mul(1.0 - a).addi(a);
                positive.close();
                x0.close();
                return new Linear(slope, null);
            }
            default -> {
                // right-hand piece where x0 > 0; at exactly 0 the right-hand piece only if DL4J's derivative there is
                // the right-hand one and not also the left-hand one (ties go left, as x <= 0 in autograd's formulas)
                INDArray dl4j = original.backprop(x0.dup(), Nd4j.onesLike(x0)).getFirst();
                INDArray ones = Nd4j.onesLike(x0);
                INDArray zeros = Nd4j.zerosLike(x0);
                INDArray rightDerivative = derivative(new TwoPiece(ones), x0.dup());
                INDArray leftDerivative = derivative(new TwoPiece(zeros), x0.dup());
                INDArray atZeroRight = x0.eq(0.0).castTo(x0.dataType())
                        .muli(Transforms.abs(dl4j.sub(rightDerivative)).lt(1e-12).castTo(x0.dataType()))
                        .muli(Transforms.abs(dl4j.sub(leftDerivative)).gte(1e-12).castTo(x0.dataType()));
                INDArray right = x0.gt(0.0).castTo(x0.dataType()).addi(atZeroRight);
                for (INDArray t : new INDArray[] {dl4j, ones, zeros, rightDerivative, leftDerivative, atZeroRight, x0}) {
                    t.close();
                }
                return new TwoPiece(right);
            }
        }
    }

    /** The frozen function, in place. */
    private INDArray apply(KinkTape.Piece piece, INDArray in) {
        if (piece instanceof Linear l) {
            in.muli(l.slope());
            if (l.offset() != null) {
                in.addi(l.offset());
            }
            return in;
        }
        INDArray m = ((TwoPiece) piece).right();
        switch (kind) {
            case ELU, SELU -> {
                double alpha = kind == Kind.SELU ? SELU_ALPHA : ((ActivationELU) original).getAlpha();
                double scale = kind == Kind.SELU ? SELU_LAMBDA : 1.0;
                // m x + (1 - m) alpha (e^x - 1), times scale
                INDArray left = Transforms.exp(in, true).subi(1.0).muli(alpha);
                INDArray diff = in.sub(left).muli(m);
                in.assign(left).addi(diff).muli(scale);
                left.close();
                diff.close();
                return in;
            }
            case RECTIFIED_TANH -> {
                return Transforms.tanh(in, false).muli(m);
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    /** Derivative of the frozen two-piece function at {@code in}, in place. */
    private INDArray derivative(TwoPiece piece, INDArray in) {
        INDArray m = piece.right();
        switch (kind) {
            case ELU, SELU -> {
                double alpha = kind == Kind.SELU ? SELU_ALPHA : ((ActivationELU) original).getAlpha();
                double scale = kind == Kind.SELU ? SELU_LAMBDA : 1.0;
                // m + (1 - m) alpha e^x, times scale
                Transforms.exp(in, false).muli(alpha);
                INDArray diff = in.rsub(1.0).muli(m);
                in.addi(diff).muli(scale);
                diff.close();
                return in;
            }
            case RECTIFIED_TANH -> {
                Transforms.tanh(in, false);
                return in.muli(in).rsubi(1.0).muli(m);
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    /** The activation this one freezes. */
    IActivation original() {
        return original;
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "frozen " + original;
    }
}
