package dev.fovea.spark;

import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.train.Gradients;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Data-parallel training in a Spark barrier stage: one replica per partition, all started from the same
 * weights; each step every replica computes the gradients of its own batch, the replicas exchange them
 * ({@link BarrierTaskContext#allGather}) and each applies the average, so all keep identical weights and
 * N workers with batches of B train as one machine with batches of N x B (for networks without batch
 * norm; batch norm's statistics would stay per worker, as PyTorch's DistributedDataParallel keeps them).
 * SGD with momentum; the steps and each replica's samples are the partition's, in order.
 */
public final class DataParallelTraining {
    private DataParallelTraining() {}

    /** One training sample: an input of the model's shape and its class. */
    public record Sample(float[] input, int label) implements Serializable {}

    /** The settings of a run, the same on every worker. */
    public record Settings(int batch, int steps, double rate, double momentum, double weightDecay) implements Serializable {}

    /** What the run produced: the weights (the same on every worker) and the global batch's loss at each step. */
    public record Result(Map<String, LoadedTensor> weights, List<Double> losses) {}

    /**
     * Trains {@code model} from {@code initial} on {@code data}, one worker per partition: all of them run at
     * once in a barrier stage, which fails as a whole if one fails.
     */
    public static Result fit(SparkSession spark, String model, Map<String, LoadedTensor> initial, JavaRDD<Sample> data, Settings settings) {
        String network = SessionPool.zoo().find(model).orElseThrow(() -> new IllegalArgumentException("no network named " + model));
        Broadcast<SessionPool.TensorMap> start = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(SessionPool.TensorMap.of(initial));
        List<Worker.Outcome> outcomes = data.rdd().barrier()
                .mapPartitions(new Worker(network, start, settings), false, ClassTag$.MODULE$.apply(Worker.Outcome.class))
                .toJavaRDD().collect();
        Worker.Outcome first = outcomes.getFirst();
        for (Worker.Outcome o : outcomes) {
            if (!java.util.Arrays.equals(o.checksum(), first.checksum())) {
                throw new IllegalStateException("the replicas' weights differ after training");
            }
        }
        return new Result(first.weights().tensors(), first.losses());
    }

    /** One replica: its partition's samples, a session, SGD, and the exchange of gradients at every step. */
    private static final class Worker extends AbstractFunction1<scala.collection.Iterator<Sample>, scala.collection.Iterator<Worker.Outcome>>
            implements Serializable {
        record Outcome(SessionPool.TensorMap weights, List<Double> losses, double[] checksum) implements Serializable {}

        private final String network;
        private final Broadcast<SessionPool.TensorMap> start;
        private final Settings settings;

        Worker(String network, Broadcast<SessionPool.TensorMap> start, Settings settings) {
            this.network = network;
            this.start = start;
            this.settings = settings;
        }

        @Override
        public scala.collection.Iterator<Outcome> apply(scala.collection.Iterator<Sample> partition) {
            Iterator<Sample> rows = CollectionConverters.asJava(partition);
            List<Sample> samples = new ArrayList<>();
            rows.forEachRemaining(samples::add);
            Outcome out = train(samples, BarrierTaskContext.get());
            return CollectionConverters.asScala(List.of(out).iterator());
        }

        private Outcome train(List<Sample> samples, BarrierTaskContext context) {
            int b = settings.batch();
            if (samples.size() < (long) b * settings.steps()) {
                throw new IllegalArgumentException("partition " + context.partitionId() + " holds " + samples.size() + " samples; "
                        + settings.steps() + " steps of " + b + " need " + (long) b * settings.steps());
            }
            Parameters p = SessionPool.zoo().newParameters(network, 0);
            p.load(start.value().tensors(), "the starting weights");
            List<Double> losses = new ArrayList<>();
            try (TrainingSession session = SessionPool.zoo().trainingSession(network, p, b, 1)) {
                Sgd sgd = new Sgd(p, session.gradients(), settings.rate(), settings.momentum(), settings.weightDecay(), false, true);
                int size = session.input().length / b;
                float[] images = new float[b * size];
                int[] labels = new int[b];
                for (int step = 0; step < settings.steps(); step++) {
                    for (int i = 0; i < b; i++) {
                        Sample s = samples.get(step * b + i);
                        System.arraycopy(s.input(), 0, images, i * size, size);
                        labels[i] = s.label();
                    }
                    double loss = session.forwardBackward(images, labels);
                    losses.add(average(context, session.gradients(), loss));
                    sgd.step();
                }
            }
            return new Outcome(SessionPool.TensorMap.of(p.asMap()), losses, checksum(p));
        }

        /** Every replica's gradients and loss, averaged in place; returns the average loss. */
        private static double average(BarrierTaskContext context, Gradients gradients, double loss) {
            List<String> names = new ArrayList<>(gradients.names());
            int total = names.stream().mapToInt(n -> gradients.get(n).length).sum();
            ByteBuffer mine = ByteBuffer.allocate(8 + 4 * total).order(ByteOrder.LITTLE_ENDIAN);
            mine.putDouble(loss);
            names.forEach(n -> {
                for (float v : gradients.get(n)) {
                    mine.putFloat(v);
                }
            });
            String[] all = context.allGather(Base64.getEncoder().encodeToString(mine.array()));
            double[] sum = new double[total];
            double lossSum = 0;
            for (String message : all) {
                ByteBuffer theirs = ByteBuffer.wrap(Base64.getDecoder().decode(message)).order(ByteOrder.LITTLE_ENDIAN);
                lossSum += theirs.getDouble();
                for (int i = 0; i < total; i++) {
                    sum[i] += theirs.getFloat();
                }
            }
            int at = 0;
            for (String n : names) {
                float[] g = gradients.get(n);
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) (sum[at++] / all.length);
                }
            }
            return lossSum / all.length;
        }

        private static double[] checksum(Parameters p) {
            double[] sums = new double[p.names().size()];
            int i = 0;
            for (String n : p.names()) {
                for (float v : p.get(n)) {
                    sums[i] += v;
                }
                i++;
            }
            return sums;
        }
    }
}
