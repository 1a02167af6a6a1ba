package dev.fovea.runtime.exec;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed pool of threads for one session. {@link #parallelFor} hands out task indices from a shared
 * counter, one at a time or in short runs when there are many, so a thread slowed by a busy neighbour
 * core simply takes fewer tasks; the calling thread works too. Nothing is allocated per call. Not reentrant: one job at a time.
 */
public final class Workers implements AutoCloseable {
    /** How long an idle worker spins for the next job before it parks (layers follow each other closely). */
    private static final long SPIN_NANOS = 50_000;
    /** Claims each thread should get on average: enough to even out a slow neighbour, few enough to stay cheap. */
    private static final int CLAIMS_PER_THREAD = 16;

    private final int threads;
    private final Thread[] helpers;
    /** The job's generation in the high half, the next task index in the low: a stale thread cannot claim. */
    private final AtomicLong claims = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private volatile int generation;
    private volatile int tasks;
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
        int job = generation + 1;
        this.body = body;
        this.tasks = tasks;
        this.failure = null;
        done.set(0);
        claims.set((long) job << 32);
        generation = job; // publishes the job
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
        work(job, body, tasks);
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

    private void work(int job, IntConsumer body, int count) {
        // claim a run of indices at once when there are many small ones (a pooling plane, a channel's
        // average): a claim costs a contended atomic, which would outweigh such a task
        int grain = Math.max(1, count / (threads * CLAIMS_PER_THREAD));
        while (true) {
            long c = claims.get();
            int index = (int) c;
            if ((int) (c >>> 32) != job || index >= count) {
                return;
            }
            int end = Math.min(count, index + grain);
            if (!claims.compareAndSet(c, c + (end - index))) {
                continue;
            }
            try {
                for (int i = index; i < end; i++) {
                    body.accept(i);
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.addAndGet(end - index);
            }
        }
    }

    private void helperLoop() {
        int seen = generation;
        while (!closed) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen && !closed) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 1_000_000);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            IntConsumer job = body;
            int count = tasks;
            if (job != null) {
                work(seen, job, count);
            }
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
