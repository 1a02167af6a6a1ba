package dev.fovea.it.bench;

import dev.fovea.spark.RingAllReduce;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * One ring all-reduce of {@code floats} values between the two tasks of a barrier stage in Spark's
 * {@code local[2]}: what data-parallel training pays after every backward pass. The default size is
 * ResNet-18's gradients and batch-norm statistics (11,689,512 + 9,600 floats, 46.8 MB). The stage runs for
 * the whole trial; each invocation hands both tasks (threads of this JVM in local mode) one round and waits
 * for both to finish it, so Spark's job start and the ring's set-up are outside the measurement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class SparkAllReduceBenchmark {
    private static final int TASKS = 2;
    /** One queue of rounds per task (a negative round ends the stage), and the tasks' answers. */
    private static final List<BlockingQueue<Integer>> ROUNDS = List.of(new ArrayBlockingQueue<>(1), new ArrayBlockingQueue<>(1));
    private static final BlockingQueue<Integer> DONE = new ArrayBlockingQueue<>(TASKS);

    @Param({"11699112"})
    public int floats;

    private SparkSession spark;
    private Thread stage;

    @Setup(Level.Trial)
    public void startStage() {
        spark = SparkSession.builder().master("local[" + TASKS + "]").appName("all-reduce-benchmark").config("spark.ui.enabled", "false")
                .getOrCreate();
        var ranks = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(0, 1), TASKS);
        int size = floats;
        stage = new Thread(() -> ranks.rdd().barrier().mapPartitions(new Rounds(size), false, ClassTag$.MODULE$.apply(Integer.class))
                .toJavaRDD().collect(), "barrier-stage");
        stage.start();
    }

    @Benchmark
    public void allReduce() throws InterruptedException {
        for (BlockingQueue<Integer> q : ROUNDS) {
            q.put(1);
        }
        for (int t = 0; t < TASKS; t++) {
            DONE.take();
        }
    }

    @TearDown(Level.Trial)
    public void stopStage() throws InterruptedException {
        for (BlockingQueue<Integer> q : ROUNDS) {
            q.put(-1);
        }
        stage.join();
        spark.stop();
    }

    /** A task: joins the ring, then averages its array once per round it is handed. */
    private static final class Rounds extends AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Integer>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int floats;

        Rounds(int floats) {
            this.floats = floats;
        }

        @Override
        public scala.collection.Iterator<Integer> apply(scala.collection.Iterator<Integer> partition) {
            BarrierTaskContext context = BarrierTaskContext.get();
            float[] gradients = new float[floats];
            java.util.Arrays.fill(gradients, context.partitionId() + 1);
            int rounds = 0;
            try (RingAllReduce ring = RingAllReduce.open(context)) {
                while (ROUNDS.get(context.partitionId()).take() > 0) {
                    ring.average(gradients);
                    rounds++;
                    DONE.put(context.partitionId());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return CollectionConverters.asScala(List.of(rounds).iterator());
        }
    }
}
