package dev.fovea.spark;

import dev.fovea.runtime.Shape;
import dev.fovea.spark.DataParallelTraining.Sample;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * One pass over the training data before the barrier stage starts: every sample must fit the model, and
 * every partition must hold at least one batch. A bad sample found here is one clear error on the driver,
 * not a barrier stage that fails, is retried and fails again.
 */
record PartitionCheck(int partition, long samples, String problem) implements Serializable {

    /** The size of the smallest partition; throws on the first sample that does not fit the model. */
    static long smallest(JavaRDD<Sample> data, Shape input, Shape output) {
        long size = input.elements();
        long classes = output.elements();
        String shape = input.toString();
        List<PartitionCheck> checks = data.mapPartitionsWithIndex((partition, rows) -> {
            long count = 0;
            String problem = null;
            while (rows.hasNext()) {
                Sample s = rows.next();
                if (problem == null && (s.input() == null || s.input().length != size)) {
                    problem = "sample " + count + " of partition " + partition + " has " + (s.input() == null ? "no" : s.input().length)
                            + " input values; the model takes " + shape + " = " + size;
                } else if (problem == null && (s.label() < 0 || s.label() >= classes)) {
                    problem = "sample " + count + " of partition " + partition + " has label " + s.label() + "; the model has "
                            + classes + " classes (0 to " + (classes - 1) + ")";
                }
                count++;
            }
            return List.of(new PartitionCheck(partition, count, problem)).iterator();
        }, false).collect();
        for (PartitionCheck c : checks) {
            if (c.problem() != null) {
                throw new IllegalArgumentException(c.problem());
            }
        }
        return checks.stream().mapToLong(PartitionCheck::samples).min().orElse(0);
    }
}
