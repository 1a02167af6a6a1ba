package dev.fovea.runtime.fit;

/**
 * A model's mean loss and accuracy on a data set in eval mode (running statistics, no dropout); top-1 and
 * top-5 are fractions. {@code confusion[label][predicted]} counts samples.
 */
public record Evaluation(double loss, double top1, double top5, long count, long[][] confusion) {
}
