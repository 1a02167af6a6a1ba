package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.zoo.Zoo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import org.junit.jupiter.api.Test;

/**
 * The training memory the compiler reports for a batch, beside the heap a training session really takes:
 * the report counts the session's activations and gradient buffers, so the heap is the report plus the
 * kernels' scratch (whose size depends on the vector width and threads, so the session reports it), within
 * 2% below (the heap's own accounting) and 2% and 4 MiB above (the nodes, the arrays' headers, small
 * per-channel statistics).
 */
class TrainingMemoryTest {
    @Test
    void theReportMatchesTheHeapASessionTakes() {
        Zoo zoo = Zoo.load();
        for (String model : new String[] {"ResNet20", "LeNet"}) {
            String name = zoo.find(model).orElseThrow();
            ModelInfo info = zoo.info(name);
            Parameters parameters = zoo.newParameters(name, 0);
            int batch = 256;
            long before = usedHeap();
            try (TrainingSession session = zoo.trainingSession(name, parameters, batch, 2)) {
                long taken = usedHeap() - before;
                long reported = info.trainingBytes(batch);
                long expected = reported + session.scratchBytes();
                System.out.printf("%s at batch %d: reported %.1f MiB + scratch %.1f MiB, heap %.1f MiB%n", model, batch,
                        reported / 1048576.0, session.scratchBytes() / 1048576.0, taken / 1048576.0);
                assertTrue(taken >= expected * 0.98 && taken <= expected * 1.02 + (4 << 20),
                        model + ": the report says " + reported + " bytes and the scratch takes " + session.scratchBytes()
                                + ", the session takes " + taken);
            }
        }
    }

    /**
     * The heap the last full collection left in use. Read from the pools' after-collection usage, not the heap's
     * current usage: that also counts the whole of any thread-local allocation buffer a thread has claimed since,
     * megabytes whose size the JVM tunes as it runs.
     */
    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }
}
