package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.zoo.Zoo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.junit.jupiter.api.Test;

/**
 * The training memory the compiler reports for a batch, beside the heap a training session really takes:
 * the report counts the session's buffers, so the heap is the report (less 2% for the heap's own
 * accounting) plus at most 5% and 16 MiB for the kernels' scratch, which the session's layers share and
 * which depends on the threads (im2col matrices, packed weights, partial weight gradients).
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
                System.out.printf("%s at batch %d: reported %.1f MiB, heap %.1f MiB%n", model, batch, reported / 1048576.0,
                        taken / 1048576.0);
                assertTrue(taken >= reported * 0.98 && taken <= reported * 1.05 + (16 << 20),
                        model + ": the report says " + reported + " bytes, the session takes " + taken);
            }
        }
    }

    private static long usedHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
