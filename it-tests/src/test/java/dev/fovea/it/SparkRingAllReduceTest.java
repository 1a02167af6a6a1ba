package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.spark.RingAllReduce;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The ring all-reduce on three tasks in Spark's local mode: arrays that do not split evenly, shorter than
 * the ring, and longer than one network segment, are averaged to within float rounding of the exact mean,
 * and every task ends with the same bits.
 */
class SparkRingAllReduceTest {
    private static final int TASKS = 3;
    private static final int[] LENGTHS = {0, 1, 2, 7, 1_000_003};

    @Test
    void threeTasksEndWithTheSameAverage() {
        SparkSession spark = SparkSession.builder().master("local[" + TASKS + "]").appName("fovea-ring-test").config("spark.ui.enabled", "false")
                .getOrCreate();
        List<long[]> results;
        try {
            var ranks = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(0, 1, 2), TASKS);
            results = ranks.rdd().barrier().mapPartitions(new AverageAll(), false, ClassTag$.MODULE$.apply(long[].class)).toJavaRDD().collect();
        } finally {
            spark.stop();
        }
        assertEquals(TASKS, results.size());
        for (long[] r : results) {
            // the checksums of every length, then the count of values further than rounding from the mean
            assertEquals(Arrays.toString(results.getFirst()), Arrays.toString(r));
        }
        for (int k = 0; k < LENGTHS.length; k++) {
            assertEquals(0, results.getFirst()[LENGTHS.length + k], "values off the mean, length " + LENGTHS[k]);
        }
    }

    /** What task r contributes at index i: different for every task and index. */
    private static float value(int rank, int i) {
        return (rank + 1) * (i % 97) * 0.25f + rank - 0.5f * (i % 13);
    }

    private static final class AverageAll extends AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<long[]>>
            implements Serializable {
        @Override
        public scala.collection.Iterator<long[]> apply(scala.collection.Iterator<Integer> partition) {
            BarrierTaskContext context = BarrierTaskContext.get();
            int rank = context.partitionId();
            long[] out = new long[2 * LENGTHS.length];
            try (RingAllReduce ring = RingAllReduce.open(context)) {
                for (int k = 0; k < LENGTHS.length; k++) {
                    float[] data = new float[LENGTHS[k]];
                    for (int i = 0; i < data.length; i++) {
                        data[i] = value(rank, i);
                    }
                    ring.average(data);
                    out[k] = Arrays.hashCode(data);
                    for (int i = 0; i < data.length; i++) {
                        double mean = 0;
                        for (int t = 0; t < TASKS; t++) {
                            mean += value(t, i);
                        }
                        mean /= TASKS;
                        if (Math.abs(data[i] - mean) > 1e-5 * Math.max(1, Math.abs(mean))) {
                            out[LENGTHS.length + k]++;
                        }
                    }
                }
            }
            List<long[]> one = new ArrayList<>();
            one.add(out);
            return CollectionConverters.asScala(one.iterator());
        }
    }
}
