package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;

/** One two-thread pool for every kernel test: its threads are daemons, so it is never closed. */
final class TestWorkers {
    static final Workers POOL = new Workers(2);

    private TestWorkers() {}
}
