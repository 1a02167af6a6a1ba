package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd's transforms, shared by the inference kernel (a vector per 16 channels) and the training one (a
 * vector per 16 samples): the same arithmetic whatever a vector holds. The input's, V = Bᵀ d B, for F(2x2, 3x3)
 * and F(4x4, 3x3) (Lavin and Gray's points 0, ±1, ±2), the weights' G for both, and the first half of F(4x4,
 * 3x3)'s output transform, Aᵀ M (the second, · A, ends in each kernel's own epilogue).
 */
public final class WinogradTransforms {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** F(2x2, 3x3)'s G, 4 x 3: U = G g Gᵀ. Its halves are exact in float. */
    static final double[][] G_2X2 = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    /** F(4x4, 3x3)'s G, 6 x 3, for the points of {@link #input4x4}'s Bᵀ. */
    static final double[][] G_4X4 = {{0.25, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
        {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};

    private WinogradTransforms() {}

    /**
     * The 4x4 block of vectors of d from {@code r0}, rows {@code pitch} and columns {@code step} floats apart,
     * transformed: down each column, then along each row; its 16 values into v at {@code out} and 15 more
     * {@code plane}s apart.
     */
    public static void input(float[] d, int r0, int pitch, int step, float[] v, int out, int plane) {
        int r1 = r0 + pitch;
        int r2 = r1 + pitch;
        int r3 = r2 + pitch;
        FloatVector d00 = FloatVector.fromArray(S, d, r0), d01 = FloatVector.fromArray(S, d, r0 + step);
        FloatVector d02 = FloatVector.fromArray(S, d, r0 + 2 * step), d03 = FloatVector.fromArray(S, d, r0 + 3 * step);
        FloatVector d10 = FloatVector.fromArray(S, d, r1), d11 = FloatVector.fromArray(S, d, r1 + step);
        FloatVector d12 = FloatVector.fromArray(S, d, r1 + 2 * step), d13 = FloatVector.fromArray(S, d, r1 + 3 * step);
        FloatVector d20 = FloatVector.fromArray(S, d, r2), d21 = FloatVector.fromArray(S, d, r2 + step);
        FloatVector d22 = FloatVector.fromArray(S, d, r2 + 2 * step), d23 = FloatVector.fromArray(S, d, r2 + 3 * step);
        FloatVector d30 = FloatVector.fromArray(S, d, r3), d31 = FloatVector.fromArray(S, d, r3 + step);
        FloatVector d32 = FloatVector.fromArray(S, d, r3 + 2 * step), d33 = FloatVector.fromArray(S, d, r3 + 3 * step);
        // Bᵀ d: rows 0 - 2, 1 + 2, 2 - 1, 1 - 3 of each column
        FloatVector t00 = d00.sub(d20), t01 = d01.sub(d21), t02 = d02.sub(d22), t03 = d03.sub(d23);
        FloatVector t10 = d10.add(d20), t11 = d11.add(d21), t12 = d12.add(d22), t13 = d13.add(d23);
        FloatVector t20 = d20.sub(d10), t21 = d21.sub(d11), t22 = d22.sub(d12), t23 = d23.sub(d13);
        FloatVector t30 = d10.sub(d30), t31 = d11.sub(d31), t32 = d12.sub(d32), t33 = d13.sub(d33);
        // · B: the same along each row
        t00.sub(t02).intoArray(v, out);
        t01.add(t02).intoArray(v, out + plane);
        t02.sub(t01).intoArray(v, out + 2 * plane);
        t01.sub(t03).intoArray(v, out + 3 * plane);
        t10.sub(t12).intoArray(v, out + 4 * plane);
        t11.add(t12).intoArray(v, out + 5 * plane);
        t12.sub(t11).intoArray(v, out + 6 * plane);
        t11.sub(t13).intoArray(v, out + 7 * plane);
        t20.sub(t22).intoArray(v, out + 8 * plane);
        t21.add(t22).intoArray(v, out + 9 * plane);
        t22.sub(t21).intoArray(v, out + 10 * plane);
        t21.sub(t23).intoArray(v, out + 11 * plane);
        t30.sub(t32).intoArray(v, out + 12 * plane);
        t31.add(t32).intoArray(v, out + 13 * plane);
        t32.sub(t31).intoArray(v, out + 14 * plane);
        t31.sub(t33).intoArray(v, out + 15 * plane);
    }

    /**
     * F(4x4, 3x3): the 6x6 block of vectors of d from {@code r0} (rows {@code pitch}, columns {@code step} floats
     * apart) transformed, down each column into {@code temp} (36 vectors), then along each row; its 36 values into
     * v at {@code out} and 35 more {@code plane}s apart. Bᵀ's rows: (4 0 -5 0 1 0), (0 -4 -4 1 1 0), (0 4 -4 -1 1 0),
     * (0 -2 -1 2 1 0), (0 2 -1 -2 1 0), (0 4 0 -5 0 1).
     */
    public static void input4x4(float[] d, int r0, int pitch, int step, float[] temp, float[] v, int out, int plane) {
        int l = S.length();
        for (int j = 0; j < 6; j++) {
            column6(d, r0 + j * step, pitch, temp, j * l, 6 * l);
        }
        for (int i = 0; i < 6; i++) {
            column6(temp, i * 6 * l, l, v, out + i * 6 * plane, plane);
        }
    }

    /** Bᵀ times the 6 vectors of d from {@code at}, {@code step} apart, into to from {@code into}, {@code toStep} apart. */
    private static void column6(float[] d, int at, int step, float[] to, int into, int toStep) {
        FloatVector d0 = FloatVector.fromArray(S, d, at), d1 = FloatVector.fromArray(S, d, at + step);
        FloatVector d2 = FloatVector.fromArray(S, d, at + 2 * step), d3 = FloatVector.fromArray(S, d, at + 3 * step);
        FloatVector d4 = FloatVector.fromArray(S, d, at + 4 * step), d5 = FloatVector.fromArray(S, d, at + 5 * step);
        FloatVector four = FloatVector.broadcast(S, 4f), minusFive = FloatVector.broadcast(S, -5f), two = FloatVector.broadcast(S, 2f);
        FloatVector sum12 = d1.add(d2), diff12 = d1.sub(d2), diff42 = d4.sub(d2), diff31 = d3.sub(d1);
        d0.fma(four, d2.fma(minusFive, d4)).intoArray(to, into);
        sum12.fma(four.neg(), d3.add(d4)).intoArray(to, into + toStep);
        diff12.fma(four, d4.sub(d3)).intoArray(to, into + 2 * toStep);
        diff31.fma(two, diff42).intoArray(to, into + 3 * toStep);
        diff31.fma(two.neg(), diff42).intoArray(to, into + 4 * toStep);
        d1.fma(four, d3.fma(minusFive, d5)).intoArray(to, into + 5 * toStep);
    }

    /**
     * F(4x4, 3x3)'s Aᵀ times the 6 vectors of m from {@code at}, {@code step} apart: 4 vectors into to from
     * {@code into}, {@code toStep} apart. Aᵀ's rows: (1 1 1 1 1 0), (0 1 -1 2 -2 0), (0 1 1 4 4 0), (0 1 -1 8 -8 1).
     */
    public static void output4x4Column(float[] m, int at, int step, float[] to, int into, int toStep) {
        FloatVector m0 = FloatVector.fromArray(S, m, at), m1 = FloatVector.fromArray(S, m, at + step);
        FloatVector m2 = FloatVector.fromArray(S, m, at + 2 * step), m3 = FloatVector.fromArray(S, m, at + 3 * step);
        FloatVector m4 = FloatVector.fromArray(S, m, at + 4 * step), m5 = FloatVector.fromArray(S, m, at + 5 * step);
        FloatVector sum12 = m1.add(m2), diff12 = m1.sub(m2), sum34 = m3.add(m4), diff34 = m3.sub(m4);
        m0.add(sum12).add(sum34).intoArray(to, into);
        diff34.fma(FloatVector.broadcast(S, 2f), diff12).intoArray(to, into + toStep);
        sum34.fma(FloatVector.broadcast(S, 4f), sum12).intoArray(to, into + 2 * toStep);
        diff34.fma(FloatVector.broadcast(S, 8f), diff12).add(m5).intoArray(to, into + 3 * toStep);
    }
}
