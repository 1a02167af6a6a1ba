package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.exec.PlanBuilder;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every zoo model runs a forward pass through its generated plan: the output has the right size and is
 * finite, and the fast path (folded, fused, vectorised) agrees with the reference path (plain kernels,
 * unfused) on the same random weights and input.
 */
class ForwardPassTest {
    /** Models whose reference pass takes seconds: checked for shape and finiteness on the fast path only. */
    private static final Set<String> FAST_ONLY = Set.of("Vgg11", "Vgg11Bn", "Vgg13", "Vgg13Bn", "Vgg16", "Vgg16Bn", "Vgg19", "Vgg19Bn",
            "SeedVgg16", "SeedZfNet", "WideResNet50_2", "ResNet101", "ResNet152", "ResNet101V1", "ResNet152V1", "DenseNet169",
            "DenseNet201", "ResNeXt50_32x4d", "ConvNeXtTiny", "SeResNet50", "ResNet50V1", "Xception", "InceptionV3", "InceptionResNetV2");

    @TestFactory
    List<DynamicTest> everyModelRuns() {
        return ZooReports.networks().stream()
                .map(name -> DynamicTest.dynamicTest(name.substring(name.lastIndexOf('.') + 1), () -> check(name)))
                .toList();
    }

    private static void check(String network) throws ReflectiveOperationException {
        Class<?> model = Class.forName(network + "Model");
        String simple = network.substring(network.lastIndexOf('.') + 1);
        Parameters p = (Parameters) model.getMethod("newParameters", long.class).invoke(null, 42L);
        randomizeNorms(p, new Random(1));
        Method session = model.getMethod("session", Parameters.class, int.class, int.class, PlanBuilder.Mode.class);
        int inputSize = (int) ((dev.fovea.runtime.Shape) model.getField("INPUT").get(null)).elements();
        int outputSize = (int) ((dev.fovea.runtime.Shape) model.getField("OUTPUT").get(null)).elements();
        float[] input = new float[inputSize];
        Random r = new Random(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        float[] fast;
        try (InferenceSession s = (InferenceSession) session.invoke(null, p, 1, 2, PlanBuilder.Mode.FAST)) {
            fast = s.run(input).clone();
        }
        assertEquals(outputSize, fast.length, simple + " output size");
        for (float v : fast) {
            assertTrue(Float.isFinite(v), simple + " output is not finite");
        }
        if (FAST_ONLY.contains(simple)) {
            return;
        }
        float[] reference;
        try (InferenceSession s = (InferenceSession) session.invoke(null, p, 1, 1, PlanBuilder.Mode.REFERENCE)) {
            reference = s.run(input).clone();
        }
        double scale = 0;
        for (float v : reference) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < fast.length; i++) {
            assertTrue(Math.abs(fast[i] - reference[i]) <= 1e-4 * (Math.abs(reference[i]) + scale),
                    simple + " output " + i + ": fast " + fast[i] + ", reference " + reference[i] + " (largest output " + scale + ")");
        }
    }

    /**
     * A batch runs each sample as a batch of one would, on networks that cover every fast kernel and
     * both activation layouts: each sample's outputs must match its own single run. At batch 3 the
     * MobileNets' first 1x1 and depthwise pairs run fused (their expanded tensors are large), alone not.
     * MobileNet v2 runs at batch 6, where its first block's depthwise tensor is large enough for its
     * projection to run inside the block through that tensor's array (its own is the block's input).
     * ResNet-50's first stage at batch 3 writes 9.6 MB between its bottlenecks, so each block's last 1x1
     * layer (with the first block's projection) and the next block's first run chained, pixel group by pixel group.
     */
    @TestFactory
    List<DynamicTest> batchedSamplesMatchSingleRuns() {
        return Stream.of("ResNet18", "ResNet50", "MobileNetV2", "MobileNetV1", "GoogLeNet", "Vgg11", "DenseNet121")
                .map(name -> DynamicTest.dynamicTest(name, () -> checkBatch(ZooReports.networks().stream()
                        .filter(n -> n.endsWith("." + name)).findFirst().orElseThrow())))
                .toList();
    }

    private static void checkBatch(String network) throws ReflectiveOperationException {
        Class<?> model = Class.forName(network + "Model");
        Parameters p = (Parameters) model.getMethod("newParameters", long.class).invoke(null, 7L);
        randomizeNorms(p, new Random(2));
        Method session = model.getMethod("session", Parameters.class, int.class, int.class, PlanBuilder.Mode.class);
        int inputSize = (int) ((dev.fovea.runtime.Shape) model.getField("INPUT").get(null)).elements();
        int outputSize = (int) ((dev.fovea.runtime.Shape) model.getField("OUTPUT").get(null)).elements();
        boolean mobileNetV2 = network.endsWith(".MobileNetV2");
        int batch = mobileNetV2 ? 6 : 3;
        float[] inputs = new float[batch * inputSize];
        Random r = new Random(5);
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = (float) r.nextGaussian();
        }
        float[] batched;
        try (InferenceSession s = (InferenceSession) session.invoke(null, p, batch, 2, PlanBuilder.Mode.FAST)) {
            batched = s.run(inputs).clone();
            if (network.endsWith(".MobileNetV1")) {
                // the plan keeps the 1x1 layer's input apart from the depthwise output, so the pair can fuse
                assertTrue(s.stepNames().contains("body.sep1.pointwise+body.sep2.depthwise"), s.stepNames().toString());
            }
            if (mobileNetV2) {
                assertTrue(s.stepNames().contains("block1+block1Project"), s.stepNames().toString());
            }
            if (network.endsWith(".ResNet50")) {
                assertTrue(s.stepNames().contains("layer1.0.conv3+out+layer1.1.conv1") && s.stepNames().contains("layer1.1.conv3+layer1.2.conv1"),
                        s.stepNames().toString());
            }
        }
        try (InferenceSession s = (InferenceSession) session.invoke(null, p, 1, 2, PlanBuilder.Mode.FAST)) {
            for (int sample = 0; sample < batch; sample++) {
                float[] single = s.run(Arrays.copyOfRange(inputs, sample * inputSize, (sample + 1) * inputSize));
                for (int i = 0; i < outputSize; i++) {
                    float b = batched[sample * outputSize + i];
                    assertTrue(Math.abs(b - single[i]) <= 1e-5 * (1 + Math.abs(single[i])),
                            network + " sample " + sample + " output " + i + ": batched " + b + ", alone " + single[i]);
                }
            }
        }
    }

    /** Norms start as the identity; random statistics make folding them into convolutions matter. */
    static void randomizeNorms(Parameters p, Random r) {
        for (TensorSpec t : p.specs()) {
            if (t.init().kind() == Init.Kind.UNIFORM_FAN_IN) {
                continue;
            }
            float[] v = p.get(t.name());
            boolean positive = t.name().endsWith("running_var") || t.init().equals(Init.ONES);
            for (int i = 0; i < v.length; i++) {
                v[i] = positive ? (float) (0.5 + r.nextDouble()) : (float) (0.2 * r.nextGaussian());
            }
        }
    }
}
