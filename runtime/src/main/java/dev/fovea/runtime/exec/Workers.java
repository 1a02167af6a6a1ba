package dev.fovea.runtime.exec;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed pool of threads for one session. {@link #parallelFor} hands out task indices from a shared
 * range, one at a time or in short runs when there are many, so a thread slowed by a busy neighbour
 * core simply takes fewer tasks; the calling thread works too, from the range's front, the helpers
 * from its back. Nothing is allocated per call. Not reentrant: one job at a time.
 *
 * <p>The range is one atomic word, its end beside its start, and a thread reads the job's body
 * only after it has claimed an index: a job cannot end while one of its claimed tasks is unfinished,
 * so the body it reads is that job's. A helper that wakes late thus never runs a new job's body on an
 * old job's indices.
 */
public final class Workers implements AutoCloseable {
    /** How long an idle worker spins for the next job (layers follow each other closely). */
    private static final long SPIN_NANOS = 50_000;
    /**
     * How long it then keeps yielding its core before it parks: long enough to span the gap between two
     * training steps (loss, optimiser, next batch: 0.1 to 0.2 ms for LeNet). A parked worker took 17 to 70 us
     * to wake on a virtual machine, and the first layer of every step waited for it; a yielding one lets
     * the data loader and the compiler run and still starts within 2 us.
     */
    private static final long YIELD_NANOS = 1_000_000;
    /** Claims each thread should get on average: enough to even out a slow neighbour, few enough to stay cheap. */
    private static final int CLAIMS_PER_THREAD = 16;

    private final int threads;
    private final Thread[] helpers;
    /** Bits of the task count and of the next index in {@link #claims}. */
    private static final int INDEX_BITS = 31;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    /** The end of the job's unclaimed indices in the high half, their start in the low. */
    private final AtomicLong claims = new AtomicLong();
    /** The job's task count, which sets the length of a claim (a stale value only changes that). */
    private volatile int jobTasks;
    private final AtomicInteger done = new AtomicInteger();
    /** Bumped for every job, to wake the helpers. */
    private volatile int generation;
    private volatile IntConsumer body;
    private volatile Throwable failure;
    private volatile boolean closed;

    public Workers(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1 but is " + threads);
        }
        this.threads = threads;
        this.helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = Thread.ofPlatform().daemon().name("fovea-worker-" + i).start(this::helperLoop);
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} for every index in [0, tasks) across the pool, and returns when all are done. */
    public void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (helpers.length == 0 || tasks == 1) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        this.body = body;
        this.failure = null;
        done.set(0);
        jobTasks = tasks;
        claims.set((long) tasks << INDEX_BITS); // publishes the job
        generation = generation + 1;
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
        work(true);
        while (done.get() < tasks) {
            Thread.onSpinWait();
        }
        this.body = null;
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException r) {
                throw r;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(f);
        }
    }

    /**
     * Claims and runs tasks until none are left: the calling thread from the front of the index range,
     * the helpers from its back. When the threads keep pace, each takes the same part of every job, so
     * the part of a tensor one core writes is the part it reads in the next layer, from its own cache.
     */
    private void work(boolean fromFront) {
        while (true) {
            long c = claims.get();
            int end = (int) (c >>> INDEX_BITS);
            int front = (int) (c & INDEX_MASK);
            if (front >= end) {
                return;
            }
            // claim a run of indices at once when there are many small ones (a pooling plane, a channel's
            // average): a claim costs a contended atomic, which would outweigh such a task
            int grain = Math.min(end - front, Math.max(1, jobTasks / (threads * CLAIMS_PER_THREAD)));
            int from = fromFront ? front : end - grain;
            long claimed = fromFront ? c + grain : c - ((long) grain << INDEX_BITS);
            if (!claims.compareAndSet(c, claimed)) {
                continue;
            }
            // the job holding the claimed tasks is still running, so this is its body
            IntConsumer body = this.body;
            try {
                for (int i = from; i < from + grain; i++) {
                    body.accept(i);
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.addAndGet(grain);
            }
        }
    }

    private void helperLoop() {
        int seen = generation;
        while (!closed) {
            long idleSince = System.nanoTime();
            while (generation == seen && !closed) {
                long idle = System.nanoTime() - idleSince;
                if (idle < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else if (idle < YIELD_NANOS) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(this, 1_000_000);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            work(false);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
    }
}
