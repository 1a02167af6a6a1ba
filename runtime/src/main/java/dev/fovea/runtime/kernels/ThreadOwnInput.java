package dev.fovea.runtime.kernels;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A thread's own copy of a layer's prepared input, made by the thread that reads it: a padded copy of a
 * sample where every task of a job reads all of it (a small map at batch 1, split between the threads by
 * weight panels), or Winograd's transformed planes of one group of tiles. Prepared beforehand by all the
 * threads together, each thread read the part another had written from that core's cache (on a guest
 * whose two cores sat on different chiplets, at a fifth of a layer's time), and Winograd's planes of a
 * whole map went through memory. One buffer per thread, shared by every layer; a thread that runs no
 * more layers (a finished session's caller) keeps its last one.
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
        ThreadOwnInput own = ofThread();
        float[] floats = own.floats(size);
        if (!own.holds(job)) {
            prepare.accept(floats);
            own.hold(job);
        }
        return floats;
    }

    /** The calling thread's own. */
    static ThreadOwnInput ofThread() {
        return OWN.get();
    }

    /** The buffer, of at least {@code size} floats: a new one, which holds no job's input yet, if it was smaller. */
    float[] floats(int size) {
        if (floats.length < size) {
            floats = new float[size];
            job = -1;
        }
        return floats;
    }

    /** Whether the buffer holds job {@code job}'s input. */
    boolean holds(long job) {
        return this.job == job;
    }

    /** Records that the buffer now holds job {@code job}'s input. */
    void hold(long job) {
        this.job = job;
    }
}
