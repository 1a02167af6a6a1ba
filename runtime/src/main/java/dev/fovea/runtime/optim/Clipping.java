package dev.fovea.runtime.optim;

import dev.fovea.runtime.train.Gradients;

/** Gradient clipping by global norm, as PyTorch's {@code clip_grad_norm_}. */
public final class Clipping {
    private Clipping() {}

    /** Scales all gradients so their global L2 norm is at most {@code maxNorm}; returns the norm before. */
    public static double clipGlobalNorm(Gradients gradients, double maxNorm) {
        double norm = gradients.globalNorm();
        double factor = maxNorm / (norm + 1e-6);
        if (factor < 1) {
            gradients.scale((float) factor);
        }
        return norm;
    }
}
