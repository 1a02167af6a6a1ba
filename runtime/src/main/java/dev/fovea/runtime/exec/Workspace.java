package dev.fovea.runtime.exec;

/**
 * Scratch memory shared by the steps of one session, which run one at a time: sized once, while the plan
 * is built, to the largest need of any step.
 */
final class Workspace {
    private float[] floats = new float[0];

    void reserve(int size) {
        if (size > floats.length) {
            floats = new float[size];
        }
    }

    float[] floats() {
        return floats;
    }
}
