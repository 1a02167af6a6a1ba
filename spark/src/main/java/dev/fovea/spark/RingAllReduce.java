package dev.fovea.spark;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.BarrierTaskContext;

/**
 * Averages an array of floats across the tasks of a barrier stage, in place, with a ring all-reduce over
 * TCP: each task sends to the next and receives from the previous one, first adding up one chunk of the
 * array per task in N - 1 rounds (reduce-scatter), then passing the finished chunks round in N - 1 more
 * (all-gather). Every task sends and receives 2 (N - 1) / N times the array whatever N is, and no data goes
 * through the driver: Spark's {@link BarrierTaskContext#allGather} only carries the addresses, once.
 * <p>
 * Each chunk's sum is computed by one task, in ring order, and copied to the others: every replica gets
 * the same bits. The channels are interruptible, so a task that Spark kills stops at once and its
 * neighbours see the connection close and fail too, which fails the stage as a whole.
 * <p>
 * {@link DataParallelTraining} uses it after every backward pass; a task of one's own barrier stage can
 * too (open it in every task, call {@link #average} in the same order everywhere, close it at the end).
 */
public final class RingAllReduce implements AutoCloseable {
    /** Floats per network write: large enough to stream, small enough to keep the buffers at 1 MiB. */
    private static final int SEGMENT = 1 << 18;
    /** How long a task whose neighbour vanished waits for Spark to abort the stage before failing itself. */
    private static final long PEER_LOST_GRACE_MILLIS = 30_000;

    private final BarrierTaskContext context;
    private final int rank;
    private final int workers;
    private final SocketChannel toNext;
    private final SocketChannel fromPrevious;
    private final ExecutorService sender;
    private final ByteBuffer out = ByteBuffer.allocateDirect(4 * SEGMENT).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer in = ByteBuffer.allocateDirect(4 * SEGMENT).order(ByteOrder.LITTLE_ENDIAN);
    private final FloatBuffer outFloats = out.asFloatBuffer();
    private final FloatBuffer inFloats = in.asFloatBuffer();
    private final float[] received = new float[SEGMENT];
    private long nanos;
    private long calls;

    private RingAllReduce(BarrierTaskContext context, int rank, int workers, SocketChannel toNext, SocketChannel fromPrevious) {
        this.context = context;
        this.rank = rank;
        this.workers = workers;
        this.toNext = toNext;
        this.fromPrevious = fromPrevious;
        this.sender = workers == 1 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fovea-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects the tasks of {@code context}'s stage into a ring, ordered by partition: every task must call
     * this at the same point. Each listens on a free port of its executor's host, the addresses are
     * exchanged with one {@code allGather}, and each connects to the next.
     */
    public static RingAllReduce open(BarrierTaskContext context) {
        int rank = context.partitionId();
        int workers = context.getTaskInfos().length;
        if (workers == 1) {
            context.barrier();
            return new RingAllReduce(context, 0, 1, null, null);
        }
        String host = hostOf(context.getTaskInfos()[rank].address());
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            String[] addresses = context.allGather(host + " " + port);
            String[] next = addresses[(rank + 1) % workers].split(" ");
            SocketChannel toNext = SocketChannel.open(new InetSocketAddress(next[0], Integer.parseInt(next[1])));
            toNext.socket().setTcpNoDelay(true);
            toNext.write(ByteBuffer.allocate(4).putInt(0, rank));
            SocketChannel fromPrevious = server.accept();
            ByteBuffer hello = ByteBuffer.allocate(4);
            readFully(fromPrevious, hello);
            int previous = (rank + workers - 1) % workers;
            if (hello.getInt(0) != previous) {
                toNext.close();
                fromPrevious.close();
                throw new IllegalStateException("task " + rank + " expected task " + previous + " on its ring port, not task " + hello.getInt(0));
            }
            return new RingAllReduce(context, rank, workers, toNext, fromPrevious);
        } catch (IOException e) {
            throw new UncheckedIOException("task " + rank + " could not join the ring of " + workers + " tasks: " + e.getMessage(), e);
        }
    }

    private static String hostOf(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }

    public int workers() {
        return workers;
    }

    /** Replaces {@code data} on every task by the average of all tasks' {@code data} (which must have one length). */
    public void average(float[] data) {
        if (workers == 1) {
            return;
        }
        long start = System.nanoTime();
        try {
            // reduce-scatter: after round r, chunk (rank - r - 1) holds the sum of r + 2 tasks' values
            for (int round = 0; round < workers - 1; round++) {
                exchange(data, Math.floorMod(rank - round, workers), Math.floorMod(rank - round - 1, workers), true);
            }
            // this task now owns the whole sum of chunk rank + 1; divided once here, so every task gets the same bits
            int owned = (rank + 1) % workers;
            float scale = 1f / workers;
            for (int i = chunkStart(data.length, owned); i < chunkStart(data.length, owned + 1); i++) {
                data[i] *= scale;
            }
            // all-gather: pass the finished chunks round the ring
            for (int round = 0; round < workers - 1; round++) {
                exchange(data, Math.floorMod(rank + 1 - round, workers), Math.floorMod(rank - round, workers), false);
            }
        } catch (IOException e) {
            throw peerLost(e);
        }
        nanos += System.nanoTime() - start;
        calls++;
    }

    /**
     * A neighbour's connection closed: almost always because its task failed, and Spark is about to abort
     * the stage with that task's error and kill this one. Waiting for the kill keeps the first error the
     * one Spark reports; only if no kill comes does this task fail with the lost connection.
     */
    private UncheckedIOException peerLost(IOException e) {
        UncheckedIOException lost = new UncheckedIOException("task " + rank + " lost its ring neighbour while averaging gradients: "
                + e.getMessage(), e);
        if (e instanceof java.nio.channels.ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
            return lost;
        }
        // Spark kills the other tasks of a failed barrier stage without interrupting them: watch for it
        long until = System.nanoTime() + PEER_LOST_GRACE_MILLIS * 1_000_000;
        try {
            while (!context.isInterrupted() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
        } catch (InterruptedException killed) {
            Thread.currentThread().interrupt();
        }
        return lost;
    }

    /** Sends chunk {@code send} to the next task while receiving chunk {@code receive} from the previous one. */
    private void exchange(float[] data, int send, int receive, boolean add) throws IOException {
        Future<?> sending = sender.submit(() -> {
            sendChunk(data, chunkStart(data.length, send), chunkStart(data.length, send + 1));
            return null;
        });
        receiveChunk(data, chunkStart(data.length, receive), chunkStart(data.length, receive + 1), add);
        try {
            sending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private void sendChunk(float[] data, int from, int to) throws IOException {
        for (int at = from; at < to; at += SEGMENT) {
            int n = Math.min(SEGMENT, to - at);
            outFloats.put(0, data, at, n);
            out.clear().limit(4 * n);
            while (out.hasRemaining()) {
                toNext.write(out);
            }
        }
    }

    private void receiveChunk(float[] data, int from, int to, boolean add) throws IOException {
        for (int at = from; at < to; at += SEGMENT) {
            int n = Math.min(SEGMENT, to - at);
            in.clear().limit(4 * n);
            readFully(fromPrevious, in);
            if (add) {
                inFloats.get(0, received, 0, n);
                for (int i = 0; i < n; i++) {
                    data[at + i] += received[i];
                }
            } else {
                inFloats.get(0, data, at, n);
            }
        }
    }

    private static void readFully(SocketChannel channel, ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                throw new EOFException("the connection closed (the task at the other end stopped)");
            }
        }
    }

    /** Where chunk {@code c} of an array of {@code length} begins: the chunks differ in size by one at most. */
    private int chunkStart(int length, int c) {
        return (int) ((long) length * c / workers);
    }

    /** Seconds spent averaging so far, waiting for the slowest task included. */
    public double seconds() {
        return nanos / 1e9;
    }

    public long calls() {
        return calls;
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.shutdownNow();
        }
        try {
            if (toNext != null) {
                toNext.close();
            }
            if (fromPrevious != null) {
                fromPrevious.close();
            }
        } catch (IOException e) {
            // closing at the end of a task: nothing is lost if a socket does not close cleanly
        }
    }
}
