package dev.fovea.runtime.exec;

/** One layer (or fused group of layers) of a plan, bound to its buffers and weights. */
public interface Step {
    void run(Workers workers);

    /** Its layer's name, for profiles and errors. */
    String name();

    /** The network's layers it runs: its own, or those fused into one step. */
    default java.util.List<String> layers() {
        return java.util.List.of(name());
    }

    /** What it computes ("Conv2d", "MaxPool2d", ...), for the time split by layer type. */
    String kind();

    /** The kernel it runs on, where the session chose one ({@link LinearKernel}); empty otherwise. */
    default String kernel() {
        return "";
    }

    /** The buffers it reads, so that the plan can follow each tensor from its writer to its readers. */
    float[][] reads();

    /** The buffer it writes. */
    float[] writes();
}
