package dev.fovea.runtime.train;

/** What changes from step to step and that layers read: the step count, the seed, whether dropout is on. */
final class TrainingState {
    private final long seed;
    private long step;
    private boolean dropout = true;

    TrainingState(long seed) {
        this.seed = seed;
    }

    long seed() {
        return seed;
    }

    long step() {
        return step;
    }

    void advance() {
        step++;
    }

    void step(long step) {
        this.step = step;
    }

    boolean dropout() {
        return dropout;
    }

    void dropout(boolean on) {
        dropout = on;
    }
}
