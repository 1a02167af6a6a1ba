package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.sun.management.ThreadMXBean;
import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.zoo.Zoo;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A session allocates nothing per pass once the JIT has compiled its kernels: counted on the calling
 * thread and the session's workers, a window of passes must reach (near) zero bytes within a bound on
 * the warm-up. The models cover row tails of the GEMM (GoogLeNet's 14x14 maps), depthwise kernels with
 * ReLU6 (MobileNet v2; at batch 8 its expand and depthwise pairs run fused, on per-thread band buffers),
 * Winograd's jobs of several samples on 13x13 maps (AlexNet at batch 2) and the activations applied
 * over arrays (ConvNeXt's GELU takes half a minute to warm up; RegNetY's sigmoid gates stand in).
 */
class SteadyStateAllocationTest {
    /** Bytes per pass below which a window counts as allocation-free: the counters' own noise is a byte or two. */
    private static final long NOISE = 16;
    private static final int PASSES_PER_WINDOW = 50;
    private static final long WARM_UP_BOUND_NANOS = 120_000_000_000L;

    @ParameterizedTest
    @CsvSource({"GoogLeNet, 1", "MobileNetV2, 1", "RegNetY400MF, 1", "MobileNetV2, 8", "AlexNet, 2"})
    void passesStopAllocating(String model, int batch) {
        Zoo zoo = Zoo.load();
        String name = zoo.find(model).orElseThrow();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (InferenceSession s = zoo.session(name, zoo.newParameters(name, 42), batch, 2)) {
            float[] in = s.input();
            Random r = new Random(1);
            for (int i = 0; i < in.length; i++) {
                in[i] = (float) r.nextGaussian();
            }
            s.run();
            long[] ids = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t == Thread.currentThread() || t.getName().startsWith("fovea-worker"))
                    .mapToLong(Thread::threadId).toArray();
            long start = System.nanoTime();
            long perPass;
            do {
                long before = Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum();
                for (int i = 0; i < PASSES_PER_WINDOW; i++) {
                    s.run();
                }
                perPass = (Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum() - before) / PASSES_PER_WINDOW;
                if (perPass < NOISE) {
                    return;
                }
            } while (System.nanoTime() - start < WARM_UP_BOUND_NANOS);
            fail(model + " at batch " + batch + " still allocates " + perPass + " bytes per pass after " + WARM_UP_BOUND_NANOS / 1_000_000_000 + " s of passes");
        }
    }
}
