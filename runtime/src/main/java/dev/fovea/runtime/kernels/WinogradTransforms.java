package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd's F(2x2, 3x3) input transform, V = Bᵀ d B, shared by the inference kernel (a vector per 16
 * channels) and the training one (a vector per 16 samples): the same additions whatever a vector holds.
 */
public final class WinogradTransforms {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

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
}
