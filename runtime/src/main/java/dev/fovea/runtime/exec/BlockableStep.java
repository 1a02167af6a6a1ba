package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.ChannelBlocks;

/**
 * A step that can run on NCHW or channel-blocked tensors: {@link ChannelLayouts} follows the plan's
 * tensors, settles each one's layout, and then has every such step {@link #prepare} its kernel.
 */
interface BlockableStep extends Step {
    /** The input it reads as its main operand. */
    float[] in();

    /** A tensor added to its result, which must share the output's layout; null when there is none. */
    default float[] residual() {
        return null;
    }

    /** Whether it adds its result onto what its output holds, which must then share the output's layout. */
    default boolean accumulates() {
        return false;
    }

    /** Whether it can read its input blocked. */
    boolean readsBlocked();

    /** Whether it can write its output blocked. */
    boolean writesBlocked();

    /** Whether its input and output must share a layout. */
    boolean keepsLayout();

    /** Whether it can write its blocked output inside a zero border ({@link #frameOutput}). */
    default boolean canWriteFramed() {
        return false;
    }

    /** Floats of its output laid out in frame f, for the whole batch; only when {@link #canWriteFramed}. */
    default int framedFloats(ChannelBlocks.Frame f) {
        throw new UnsupportedOperationException(name() + " cannot write its output framed");
    }

    /**
     * Writes its output inside frame f from now on, into {@code framed} (at least {@link #framedFloats}
     * floats), which the reader then reads; only when {@link #canWriteFramed}. The border is zero and stays
     * so, unless {@code clearsBorder}: then the array holds tensors of other frames between passes, and
     * it zeroes the border before it writes.
     */
    default void frameOutput(ChannelBlocks.Frame f, float[] framed, boolean clearsBorder) {
        throw new UnsupportedOperationException(name() + " cannot write its output framed");
    }

    /** Chooses its kernel for the settled layouts; called once, before the first run. */
    void prepare(boolean blockedIn, boolean blockedOut);
}
