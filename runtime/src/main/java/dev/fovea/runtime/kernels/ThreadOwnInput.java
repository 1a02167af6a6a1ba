package dev.fovea.runtime.kernels;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A thread's own copy of a layer's prepared input (a padded copy, Winograd's transformed planes), made by
 * the thread that reads it, once per job. Where every task of a job reads the whole prepared input (a small
 * map at batch 1, split between the threads by weight panels), preparing it in parallel left each thread
 * reading the half the other had written from the other core's cache; on a guest whose two cores sat on
 * different chiplets that cost more than preparing it twice. One buffer per thread, shared by every layer.
 */
final class ThreadOwnInput {
    private static final AtomicLong JOBS = new AtomicLong();
    private static final ThreadLocal<ThreadOwnInput> OWN = ThreadLocal.withInitial(ThreadOwnInput::new);

    private float[] floats = new float[0];
    private long job = -1;

    private ThreadOwnInput() {
    }

    /** A number no other job in this process has: what tells a thread that its buffer holds another job's input. */
    static long newJob() {
        return JOBS.incrementAndGet();
    }

    /**
     * This thread's buffer, of at least {@code size} floats, holding job {@code job}'s input: {@code prepare}
     * writes it the first time the thread asks for that job.
     */
    static float[] forJob(long job, int size, Consumer<float[]> prepare) {
        ThreadOwnInput own = OWN.get();
        if (own.job != job) {
            if (own.floats.length < size) {
                own.floats = new float[size];
            }
            prepare.accept(own.floats);
            own.job = job;
        }
        return own.floats;
    }
}
