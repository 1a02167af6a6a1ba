package dev.fovea.runtime.exec;

/**
 * Zero-length arrays that stand in for tensors a fused step never holds whole (see
 * {@code dev.fovea.runtime.plan.InferenceBuffers}): the steps are built against them, as against any
 * buffer, and the fused step that takes both layers allocates what it needs when it is prepared. A real
 * tensor has at least one float, so the length tells them apart.
 */
final class StandIns {
    private StandIns() {
    }

    static float[] make() {
        return new float[0];
    }

    static boolean is(float[] array) {
        return array != null && array.length == 0;
    }

    /**
     * Gives each stand-in that a step outside a fused pair still reads or writes a whole array of its own (the
     * plan expected a fusion that did not happen): only convolutions and pools meet stand-ins, and they take it.
     */
    static void allocateStrays(java.util.List<Step> steps) {
        java.util.Map<float[], float[]> given = new java.util.IdentityHashMap<>();
        for (Step step : steps) {
            if (step instanceof LinearStep l && is(l.writes())) {
                given.computeIfAbsent(l.writes(), standIn -> new float[l.wholeOutputFloats()]);
            }
        }
        for (Step step : steps) {
            for (java.util.Map.Entry<float[], float[]> e : given.entrySet()) {
                if (step instanceof LinearStep l) {
                    l.rebind(e.getKey(), e.getValue());
                } else if (step instanceof PoolStep p && p.in() == e.getKey()) {
                    p.rebindIn(e.getValue());
                }
            }
            if (is(step.writes()) || java.util.Arrays.stream(step.reads()).anyMatch(StandIns::is)) {
                throw new IllegalStateException(step.name() + " meets a tensor that no step holds whole");
            }
        }
    }
}
