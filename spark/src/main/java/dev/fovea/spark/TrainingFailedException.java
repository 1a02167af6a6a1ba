package dev.fovea.spark;

import java.nio.file.Path;
import org.apache.spark.SparkException;

/**
 * A data-parallel run that Spark ended: the reason in one line (the failed task's own error, not Spark's
 * stack), and the checkpoint a new call with the same settings will continue from, if there is one.
 */
public final class TrainingFailedException extends RuntimeException {
    private final transient Path newestCheckpoint;

    TrainingFailedException(SparkException failure, Path newestCheckpoint, int restarts) {
        super("training stopped" + (restarts > 0 ? " after " + restarts + (restarts == 1 ? " restart" : " restarts") : "") + ": "
                + reason(failure.getMessage()) + (newestCheckpoint == null ? "; there is no checkpoint to continue from"
                : "; run it again with the same settings to continue from " + newestCheckpoint), failure);
        this.newestCheckpoint = newestCheckpoint;
    }

    /** The checkpoint a new run continues from, or null. */
    public Path newestCheckpoint() {
        return newestCheckpoint;
    }

    /**
     * Spark's message is "Job aborted due to stage failure: ..." and, on the next lines, the failed task's
     * error and its stack: the task's error is the reason, and Spark's first line when it has none.
     */
    static String reason(String message) {
        if (message == null) {
            return "the training stage failed";
        }
        String[] lines = message.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (!line.isEmpty() && !lines[i].startsWith("\t") && !line.startsWith("at ") && !line.startsWith("Driver stacktrace")) {
                return line;
            }
        }
        return lines[0].strip();
    }
}
