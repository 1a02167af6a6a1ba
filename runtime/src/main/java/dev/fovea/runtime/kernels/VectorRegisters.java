package dev.fovea.runtime.kernels;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * How many vector registers the JIT allocates from, for the register tiles that must fit them. The
 * vector width alone does not say: at 256 bits an AVX2 CPU (or a JVM run with {@code -XX:UseAVX=2})
 * has 16, while AVX-512 held to 256 bits ({@code -XX:MaxVectorSize=32}) keeps 32. On x86 HotSpot
 * reports the instruction set it compiles for as {@code UseAVX}: 3 is AVX-512, with 32 registers. Other
 * architectures (AArch64's NEON and SVE) have 32.
 */
public final class VectorRegisters {
    /** The vector registers compiled code can use. */
    public static final int COUNT = count();

    private VectorRegisters() {
    }

    /** Whether a tile of 28 accumulators and three operands would spill: fewer than 31 registers. */
    public static boolean few() {
        return COUNT < 31;
    }

    private static int count() {
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return 32;
        }
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return Integer.parseInt(hotspot.getVMOption("UseAVX").getValue()) >= 3 ? 32 : 16;
        } catch (RuntimeException | LinkageError e) {
            // not HotSpot, or the option is gone: assume the smaller register file, whose tiles never spill
            return 16;
        }
    }
}
