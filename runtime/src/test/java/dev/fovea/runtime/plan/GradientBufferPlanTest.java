package dev.fovea.runtime.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.plan.GradientBufferPlan.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The gradient buffers' plan: shared only where live ranges do not meet, and as small as the ranges allow here. */
class GradientBufferPlanTest {
    /** A chain: each step reads the one before, so only the gradients on both sides of a step are live. */
    @Test
    void aChainNeedsTwoBuffers() {
        List<Value> chain = List.of(new Value(100, 0, 1), new Value(100, 1, 2), new Value(50, 2, 3), new Value(80, 3, 4),
                new Value(10, 4, GradientBufferPlan.END));
        GradientBufferPlan plan = GradientBufferPlan.of(chain);
        assertEquals(2, plan.buffers());
        assertEquals(200, plan.elementsPerSample());
        assertNotEquals(plan.buffer(0), plan.buffer(1));
    }

    /**
     * A residual block: the shortcut (step 0's output) is read by the addition at step 3, so its gradient
     * lives across the block, beside the two of the step running.
     */
    @Test
    void aShortcutKeepsItsBufferAcrossTheBlock() {
        List<Value> block = List.of(new Value(64, 0, 3), new Value(64, 1, 2), new Value(64, 2, 3), new Value(64, 3, GradientBufferPlan.END));
        GradientBufferPlan plan = GradientBufferPlan.of(block);
        assertEquals(3, plan.buffers());
        assertEquals(plan.buffer(3), plan.buffer(1));
    }

    /** Values of every size and range: no buffer holds two values live at one step, and each fits its values. */
    @Test
    void randomRangesNeverShareALiveBuffer() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int steps = random.nextInt(1, 40);
            List<Value> values = new ArrayList<>();
            for (int s = 0; s < steps; s++) {
                int lastReader = random.nextInt(8) == 0 ? GradientBufferPlan.END : Math.min(steps - 1, s + random.nextInt(4));
                values.add(new Value(random.nextInt(1, 1000), s, lastReader));
            }
            GradientBufferPlan plan = GradientBufferPlan.of(values);
            long unshared = 0;
            for (int a = 0; a < values.size(); a++) {
                Value va = values.get(a);
                unshared += va.elements();
                assertTrue(plan.bufferElements(plan.buffer(a)) >= va.elements());
                for (int b = a + 1; b < values.size(); b++) {
                    Value vb = values.get(b);
                    boolean overlap = va.producer() <= vb.lastReader() && vb.producer() <= va.lastReader();
                    assertTrue(!overlap || plan.buffer(a) != plan.buffer(b), "trial " + trial + ": values " + a + " and " + b);
                }
            }
            assertTrue(plan.elementsPerSample() <= unshared);
        }
    }
}
