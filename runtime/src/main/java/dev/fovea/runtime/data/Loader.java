package dev.fovea.runtime.data;

import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Batches of a data set through an augmentation, in an order shuffled per epoch from a seed. A
 * background thread prepares the next batches while the current one trains; {@link Epoch#dataWaitNanos}
 * says how long the trainer waited for them. Everything a batch holds depends only on the seed, the
 * epoch and the batch's index, so an epoch can start at any batch and repeat a run exactly.
 */
public final class Loader {
    private static final int PREFETCH = 3;

    private final Dataset data;
    private final Augmentation augmentation;
    private final int batch;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;

    /**
     * {@code dropLast} leaves out the last incomplete batch (for training, whose sessions take whole
     * batches); evaluation keeps it, zero-padded, and counts only its {@link Batch#count} samples.
     */
    public Loader(Dataset data, Augmentation augmentation, int batch, boolean shuffle, boolean dropLast, long seed) {
        if (!data.sampleShape().equals(augmentation.input())) {
            throw new IllegalArgumentException("the augmentation takes " + augmentation.input() + "; " + data.name() + " has samples of "
                    + data.sampleShape());
        }
        if (batch < 1) {
            throw new IllegalArgumentException("a batch holds at least one sample, not " + batch);
        }
        if (dropLast && data.size() < batch) {
            throw new IllegalArgumentException(data.name() + " has " + data.size() + " samples, fewer than one batch of " + batch);
        }
        this.data = data;
        this.augmentation = augmentation;
        this.batch = batch;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.seed = seed;
    }

    public Dataset data() {
        return data;
    }

    public int batch() {
        return batch;
    }

    /** The seed of the shuffles and the random augmentations. */
    public long seed() {
        return seed;
    }

    public int batchesPerEpoch() {
        return dropLast ? data.size() / batch : (data.size() + batch - 1) / batch;
    }

    /** The samples of one epoch, from its batch {@code first} on. Close it to stop the background thread. */
    public Epoch epoch(int epoch, int first) {
        if (first < 0 || first > batchesPerEpoch()) {
            throw new IllegalArgumentException("epoch " + epoch + " has batches 0 to " + (batchesPerEpoch() - 1) + ", not " + first);
        }
        return new Epoch(epoch, first);
    }

    /** The order of the samples in {@code epoch}: a seeded Fisher-Yates shuffle, or the data's own order. */
    int[] order(int epoch) {
        if (shuffle) {
            return Permutation.shuffled(data.size(), Augmentation.mix(seed, epoch, -1));
        }
        int[] order = new int[data.size()];
        Arrays.setAll(order, i -> i);
        return order;
    }

    /** An epoch's batches, prepared ahead on a daemon thread. */
    public final class Epoch implements AutoCloseable {
        private static final Object END = new Object();

        private final BlockingQueue<Object> ready = new ArrayBlockingQueue<>(PREFETCH + 2);
        private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(PREFETCH + 2);
        private final Thread producer;
        private final int batches;
        private Batch current;
        private long waitNanos;
        private boolean done;

        private Epoch(int epoch, int first) {
            int sampleSize = Math.toIntExact(augmentation.output().elements());
            for (int i = 0; i < PREFETCH + 1; i++) {
                free.add(new Batch(batch, sampleSize));
            }
            this.batches = batchesPerEpoch() - first;
            int[] order = order(epoch);
            producer = Thread.ofPlatform().daemon().name("fovea-loader").unstarted(() -> produce(epoch, first, order));
            producer.start();
        }

        private void produce(int epoch, int first, int[] order) {
            float[] a = new float[Math.max(augmentation.largestSample(), Math.toIntExact(data.sampleShape().elements()))];
            float[] b = new float[a.length];
            int sampleSize = Math.toIntExact(augmentation.output().elements());
            try {
                for (int k = first; k < first + batches; k++) {
                    Batch out = free.take();
                    int count = Math.min(batch, data.size() - k * batch);
                    for (int s = 0; s < count; s++) {
                        int index = order[k * batch + s];
                        data.read(index, a, 0);
                        float[] x = augmentation.apply(a, b, seed, epoch, index);
                        System.arraycopy(x, 0, out.images(), s * sampleSize, sampleSize);
                        out.labels()[s] = data.label(index);
                    }
                    Arrays.fill(out.images(), count * sampleSize, out.images().length, 0);
                    Arrays.fill(out.labels(), count, batch, 0);
                    out.fill(k, count);
                    ready.put(out);
                }
                ready.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                try {
                    ready.put(e);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Batches this epoch will still give (from the first one asked for). */
        public int batches() {
            return batches;
        }

        /** The next batch, or null at the end of the epoch. The batch is valid until the next call. */
        public Batch next() {
            if (done) {
                return null;
            }
            if (current != null) {
                free.add(current);
                current = null;
            }
            long t0 = System.nanoTime();
            Object item;
            try {
                item = ready.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for data", e);
            }
            waitNanos += System.nanoTime() - t0;
            if (item == END) {
                done = true;
                return null;
            }
            if (item instanceof RuntimeException e) {
                done = true;
                throw e;
            }
            current = (Batch) item;
            return current;
        }

        /** Time spent in {@link #next} waiting for the background thread. */
        public long dataWaitNanos() {
            return waitNanos;
        }

        @Override
        public void close() {
            producer.interrupt();
            try {
                producer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
