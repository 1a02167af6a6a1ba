package dev.fovea.runtime.fit;

/**
 * Where training is within an epoch, after a step: for progress bars. Loss and top-1 are the epoch's
 * running means; images/s counts this epoch's steps; data wait is the time spent waiting for batches.
 */
public record Progress(int epoch, int epochs, int step, int steps, double loss, double top1, double learningRate,
        double imagesPerSecond, double seconds, double dataWaitSeconds) {

    /** Seconds left in this epoch at the current speed. */
    public double epochSecondsLeft() {
        return step == 0 ? Double.NaN : seconds / step * (steps - step);
    }
}
