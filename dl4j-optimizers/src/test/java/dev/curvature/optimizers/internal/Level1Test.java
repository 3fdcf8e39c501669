package dev.curvature.optimizers.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Random;
import java.util.stream.Stream;

import static dev.curvature.testing.Assertions2.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Level1} against plain Java on seeded vectors, on each of its paths: BLAS (contiguous float and double, also
 * a slice that starts inside a longer array), the ND4J fallback for strided views (every other element of a longer
 * array) and for half precision. The class promises that results never depend on the path, so every case is also
 * compared with the same values on the BLAS path. Tolerances are relative, a few units in the last place of the
 * data type (half: 2e-3; float: 1e-6; double: 1e-14).
 */
class Level1Test {
    private static final int N = 37;

    enum Path { BLAS, OFFSET, STRIDED, HALF }

    static Stream<Arguments> paths() {
        return Stream.of(Arguments.of(Path.BLAS, DataType.DOUBLE), Arguments.of(Path.BLAS, DataType.FLOAT),
                Arguments.of(Path.OFFSET, DataType.DOUBLE), Arguments.of(Path.OFFSET, DataType.FLOAT),
                Arguments.of(Path.STRIDED, DataType.DOUBLE), Arguments.of(Path.STRIDED, DataType.FLOAT),
                Arguments.of(Path.HALF, DataType.HALF));
    }

    static double tolerance(DataType type) {
        return switch (type) {
            case HALF -> 2e-3;
            case FLOAT -> 1e-6;
            default -> 1e-14;
        };
    }

    /** Values exactly representable in half precision, so that every path starts from the same numbers. */
    static double[] values(long seed) {
        Random rnd = new Random(seed);
        double[] v = new double[N];
        for (int i = 0; i < N; i++) {
            v[i] = Math.round(rnd.nextGaussian() * 64) / 64.0;
        }
        return v;
    }

    /**
     * {@code v} as an array on the given path: contiguous, a contiguous slice starting inside a longer array (BLAS
     * with an offset), or every other element of a longer array.
     */
    static INDArray onPath(double[] v, Path path, DataType type) {
        if (path == Path.OFFSET) {
            INDArray backing = Nd4j.zeros(type, N + 5);
            INDArray view = backing.get(NDArrayIndex.interval(3, 3 + N));
            view.assign(Nd4j.createFromArray(v).castTo(type));
            assertEquals(1, view.elementWiseStride());
            return view;
        }
        if (path != Path.STRIDED) {
            return Nd4j.createFromArray(v).castTo(type);
        }
        INDArray backing = Nd4j.zeros(type, 2 * N);
        INDArray view = backing.get(NDArrayIndex.interval(0, 2, 2 * N));
        view.assign(Nd4j.createFromArray(v).castTo(type));
        assertTrue(view.elementWiseStride() != 1, "the strided case must not be contiguous");
        return view;
    }

    static double[] toDoubles(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup().data().asDouble();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("paths")
    void axpy(Path path, DataType type) {
        double[] x = values(1);
        double[] y = values(2);
        INDArray ya = onPath(y, path, type);
        Level1.axpy(-0.75, onPath(x, path, type), ya);
        double[] expected = new double[N];
        for (int i = 0; i < N; i++) {
            expected[i] = -0.75 * x[i] + y[i];
        }
        assertClose(expected, toDoubles(ya), tolerance(type), tolerance(type), "axpy " + path);
        INDArray blas = onPath(y, Path.BLAS, DataType.DOUBLE);
        Level1.axpy(-0.75, onPath(x, Path.BLAS, DataType.DOUBLE), blas);
        assertClose(toDoubles(blas), toDoubles(ya), tolerance(type), tolerance(type), "axpy " + path + " vs BLAS");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("paths")
    void scal(Path path, DataType type) {
        double[] x = values(3);
        INDArray xa = onPath(x, path, type);
        Level1.scal(0.375, xa);
        double[] expected = new double[N];
        for (int i = 0; i < N; i++) {
            expected[i] = 0.375 * x[i];
        }
        assertClose(expected, toDoubles(xa), tolerance(type), 0, "scal " + path);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("paths")
    void copy(Path path, DataType type) {
        double[] x = values(4);
        INDArray target = onPath(new double[N], path, type);
        Level1.copy(onPath(x, path, type), target);
        assertClose(x, toDoubles(target), 0, 0, "copy " + path);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("paths")
    void norms(Path path, DataType type) {
        double[] x = values(5);
        double sumSq = 0;
        double sumAbs = 0;
        for (double xi : x) {
            sumSq += xi * xi;
            sumAbs += Math.abs(xi);
        }
        INDArray xa = onPath(x, path, type);
        assertEquals(Math.sqrt(sumSq), Level1.nrm2(xa), tolerance(type) * Math.sqrt(sumSq), "nrm2 " + path);
        assertEquals(sumAbs, Level1.asum(xa), tolerance(type) * sumAbs, "asum " + path);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("paths")
    void asumIsNotFiniteWithOneNonFiniteElement(Path path, DataType type) {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            double[] x = values(6);
            x[N / 2] = bad;
            double s = Level1.asum(onPath(x, path, type));
            assertTrue(!Double.isFinite(s), path + " asum with " + bad + " = " + s);
        }
    }
}
