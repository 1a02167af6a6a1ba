package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.spark.DataParallelTraining;
import dev.fovea.spark.DataParallelTraining.Sample;
import dev.fovea.spark.DataParallelTraining.Settings;
import dev.fovea.zoo.Zoo;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Data-parallel training in Spark's local mode: two workers in a barrier stage, each training LeNet on its
 * half of every global batch and averaging gradients with the other each step, end with the weights one
 * process gets training on the whole batches (within float rounding), and the same losses.
 */
class SparkTrainingTest {
    private static final int WORKERS = 2;
    private static final int BATCH = 4;
    private static final int STEPS = 5;

    @Test
    void twoWorkersTrainAsOneMachineWithTheirBatchesTogether() {
        Zoo zoo = Zoo.load();
        String lenet = zoo.find("LeNet").orElseThrow();
        Random random = new Random(9);
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < WORKERS * BATCH * STEPS; i++) {
            float[] x = new float[1024];
            for (int p = 0; p < x.length; p++) {
                x[p] = (float) random.nextGaussian();
            }
            samples.add(new Sample(x, random.nextInt(10)));
        }
        Parameters initial = zoo.newParameters(lenet, 4);
        Settings settings = new Settings(BATCH, STEPS, 0.05, 0.9, 5e-4);

        SparkSession spark = SparkSession.builder().master("local[" + WORKERS + "]").appName("fovea-training-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        DataParallelTraining.Result result;
        try {
            // parallelize slices in order: worker 0 holds the first half of the samples, worker 1 the second
            var data = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(samples, WORKERS);
            result = DataParallelTraining.fit(spark, "lenet", initial.asMap(), data, settings);
        } finally {
            spark.stop();
        }

        // one process: step k's batch is worker 0's k-th batch, then worker 1's
        Parameters alone = zoo.newParameters(lenet, 4);
        List<Double> losses = new ArrayList<>();
        int half = samples.size() / WORKERS;
        try (TrainingSession session = zoo.trainingSession(lenet, alone, WORKERS * BATCH, 1)) {
            Sgd sgd = new Sgd(alone, session.gradients(), 0.05, 0.9, 5e-4, false, true);
            float[] images = new float[WORKERS * BATCH * 1024];
            int[] labels = new int[WORKERS * BATCH];
            for (int step = 0; step < STEPS; step++) {
                for (int w = 0; w < WORKERS; w++) {
                    for (int i = 0; i < BATCH; i++) {
                        Sample s = samples.get(w * half + step * BATCH + i);
                        System.arraycopy(s.input(), 0, images, (w * BATCH + i) * 1024, 1024);
                        labels[w * BATCH + i] = s.label();
                    }
                }
                losses.add(session.forwardBackward(images, labels));
                sgd.step();
            }
        }
        assertEquals(STEPS, result.losses().size());
        for (int k = 0; k < STEPS; k++) {
            assertEquals(losses.get(k), result.losses().get(k), 1e-5, "loss of step " + k);
        }
        for (String name : alone.names()) {
            assertArrayEquals(alone.get(name), result.weights().get(name).data(), 2e-5f, name);
        }
        assertTrue(losses.getLast() < losses.getFirst(), losses.toString());
    }
}
