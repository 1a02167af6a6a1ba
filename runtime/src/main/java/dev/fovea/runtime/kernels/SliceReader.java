package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reads a slice of packed weights from memory into L1 ahead of the register tiles that use it. At batch
 * 1 the weights of the late layers arrive from main memory; a tile that meets them first keeps only
 * the few lines in flight that its waiting FMAs leave room for in the reorder buffer, about 11.7 GB/s
 * per core here, where this loop of independent loads streams about 15.8. The tiles then all run from
 * L1. The loads must stay, so the caller keeps the returned sum.
 */
final class SliceReader {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private SliceReader() {
    }

    /** Reads floats [from, to) of {@code a}, a whole number of vector pairs, and returns their sum. */
    static float read(float[] a, int from, int to) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        for (int i = from; i < to; i += 2 * L) {
            s0 = s0.add(FloatVector.fromArray(S, a, i));
            s1 = s1.add(FloatVector.fromArray(S, a, i + L));
        }
        return s0.add(s1).reduceLanes(VectorOperators.ADD);
    }
}
