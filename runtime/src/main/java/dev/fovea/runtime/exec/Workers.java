package dev.fovea.runtime.exec;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed pool of threads for one session. {@link #parallelFor} splits a job's task indices into one
 * contiguous share per thread, the calling thread's first. Each thread claims its own share from the
 * front, one index at a time or in short runs when there are many, and then takes what is left of
 * the others' shares from their backs, so a thread slowed by a busy neighbour core simply does fewer
 * tasks. Nothing is allocated per call. Not reentrant: one job at a time.
 *
 * <p>A share is one atomic word, its end beside its start, on a cache line of its own: a claim from
 * one's own share stays in one's own cache, where a single range shared by all made every claim a
 * transfer between cores (0.2 to 0.3 us each on a guest whose two cores sit on different chiplets).
 * Finished tasks are counted once per thread and job, for the same reason. A thread reads the job's
 * body only after it has claimed an index: a job cannot end while one of its claimed tasks is
 * unfinished, so the body it reads is that job's. A helper that wakes late thus never runs a new job's
 * body on an old job's indices.
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
    /** Bits of a share's end and of its next index in {@link #shares}. */
    private static final int INDEX_BITS = 31;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    /** Longs between two threads' shares: two cache lines, so that no claim touches another thread's line. */
    private static final int SHARE_STRIDE = 16;
    /** Thread t's unclaimed indices at t * SHARE_STRIDE: their end in the high half, their start in the low. */
    private final AtomicLongArray shares;
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
        this.shares = new AtomicLongArray(threads * SHARE_STRIDE);
        for (int i = 0; i < helpers.length; i++) {
            int self = i + 1;
            helpers[i] = Thread.ofPlatform().daemon().name("fovea-worker-" + i).start(() -> helperLoop(self));
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
        for (int t = threads - 1; t >= 0; t--) { // the caller's share last: it publishes the job
            long from = (long) tasks * t / threads;
            long to = (long) tasks * (t + 1) / threads;
            shares.set(t * SHARE_STRIDE, to << INDEX_BITS | from);
        }
        generation = generation + 1;
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
        work(0);
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
     * Claims and runs tasks until none are left: thread {@code self}'s own share from its front, then the
     * others' from their backs. When the threads keep pace, each takes the same part of every job, so the
     * part of a tensor one core writes is the part it reads in the next layer, from its own cache.
     */
    private void work(int self) {
        int finished = 0;
        try {
            for (int k = 0; k < threads; k++) {
                int share = (self + k) % threads * SHARE_STRIDE;
                long run;
                while ((run = claim(share, k == 0)) != 0) {
                    // the job holding the claimed tasks is still running, so this is its body
                    IntConsumer body = this.body;
                    int from = (int) (run >>> 32);
                    int count = (int) run;
                    try {
                        for (int i = from; i < from + count; i++) {
                            body.accept(i);
                        }
                    } catch (Throwable t) {
                        failure = t;
                    }
                    finished += count;
                }
            }
        } finally {
            if (finished > 0) {
                done.addAndGet(finished); // once, after the last claim: the job cannot end before it
            }
        }
    }

    /**
     * Claims a run from the share at {@code share}, from its front if it is the thread's own and from its
     * back otherwise: its first index in the high half, its length in the low; 0 when the share is empty.
     */
    private long claim(int share, boolean own) {
        while (true) {
            long c = shares.get(share);
            int end = (int) (c >>> INDEX_BITS);
            int front = (int) (c & INDEX_MASK);
            if (front >= end) {
                return 0;
            }
            // claim a run of indices at once when there are many small ones (a pooling plane, a channel's
            // average): even an uncontended atomic would outweigh such a task
            int grain = Math.min(end - front, Math.max(1, jobTasks / (threads * CLAIMS_PER_THREAD)));
            int from = own ? front : end - grain;
            long claimed = own ? c + grain : c - ((long) grain << INDEX_BITS);
            if (shares.compareAndSet(share, c, claimed)) {
                return (long) from << 32 | grain;
            }
        }
    }

    private void helperLoop(int self) {
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
            work(self);
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
