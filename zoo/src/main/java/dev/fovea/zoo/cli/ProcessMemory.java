package dev.fovea.zoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the process holds in memory, as the operating system counts it: what {@code fovea bench} reports beside the time. */
final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /** The most resident memory the process has had so far, in MiB (Linux's VmHWM), or -1 where the system does not say. */
    static double peakResidentMib() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).strip().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: the figure is simply not known
        }
        return -1;
    }

    /** The heap that live objects use, in MiB, measured after a full collection. */
    static double liveHeapMib() {
        Runtime r = Runtime.getRuntime();
        System.gc();
        return (r.totalMemory() - r.freeMemory()) / (1024.0 * 1024.0);
    }
}
