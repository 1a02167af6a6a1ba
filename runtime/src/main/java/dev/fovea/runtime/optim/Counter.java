package dev.fovea.runtime.optim;

/** A step count kept exactly in two floats (24 bits each), so it travels with the float tensors of a state. */
final class Counter {
    private static final long LOW = 1L << 24;

    private Counter() {}

    static void store(float[] into, long steps) {
        into[0] = steps / LOW;
        into[1] = steps % LOW;
    }

    static long load(float[] from) {
        return (long) from[0] * LOW + (long) from[1];
    }
}
