package dev.fovea.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.runtime.exec.LinearKernel.Situation;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.ConvGeometry;
import org.junit.jupiter.api.Test;

/** The kernel table's choices for the layers the zoo is made of, on any vector width. */
class LinearKernelTest {
    /** A 3x3 convolution of 64 channels at stride 1 on a 56x56 map, as in ResNet's first stage. */
    private static final ConvGeometry RESNET_3X3 = new ConvGeometry(64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1);
    private static final ConvGeometry DEPTHWISE_3X3 = new ConvGeometry(32, 28, 28, 32, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 32);

    private static LinearKernel choose(ConvGeometry g, boolean depthwise, boolean blockedIn, boolean blockedOut, boolean framedIn) {
        return LinearKernel.choose(new Situation(g, Activation.RELU, depthwise, false, blockedIn, blockedOut, framedIn, 1));
    }

    @Test
    void blockedThreeByThreeLayersRunWinogradWhenTheirInputIsFramed() {
        assertEquals(LinearKernel.WINOGRAD_4X4, choose(RESNET_3X3, false, true, true, true));
        assertEquals(LinearKernel.WINOGRAD_2X2, choose(new ConvGeometry(256, 14, 14, 256, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1), false, true, true, true));
        assertEquals(LinearKernel.CHANNEL_VECTOR_BLOCKED, choose(RESNET_3X3, false, true, true, false));
        assertEquals(LinearKernel.CHANNEL_VECTOR, choose(RESNET_3X3, false, false, false, false));
    }

    /** VGG's 512-channel layers run Winograd's too; a layer with more channel pairs than that does not. */
    @Test
    void winogradTakesLayersUpTo512By512Channels() {
        assertEquals(LinearKernel.WINOGRAD_2X2, choose(new ConvGeometry(512, 14, 14, 512, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1), false, true, true, true));
        assertEquals(LinearKernel.CHANNEL_VECTOR_BLOCKED,
                choose(new ConvGeometry(1024, 14, 14, 512, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1), false, true, true, true));
    }

    @Test
    void aProjectionAddedIntoAnotherOutputIsNotWinograds() {
        assertEquals(LinearKernel.CHANNEL_VECTOR_BLOCKED,
                LinearKernel.choose(new Situation(RESNET_3X3, Activation.NONE, false, true, true, true, true, 1)));
    }

    @Test
    void depthwiseLayersKeepTheirLayout() {
        assertEquals(LinearKernel.BLOCKED_DEPTHWISE, choose(DEPTHWISE_3X3, true, true, true, false));
        assertEquals(LinearKernel.DEPTHWISE, choose(DEPTHWISE_3X3, true, false, false, false));
    }

    /** LeNet's first layer: one input channel, six filters; rows of 28 fill the direct kernel's tiles, rows of 24 do not. */
    @Test
    void smallLayersRunDirectOrAsAProduct() {
        assertEquals(LinearKernel.DIRECT, choose(new ConvGeometry(1, 28, 28, 6, 28, 28, 5, 5, 1, 1, 2, 2, 1, 1, 1), false, false, false, false));
        assertEquals(LinearKernel.GEMM, choose(new ConvGeometry(1, 28, 28, 6, 24, 24, 5, 5, 1, 1, 0, 0, 1, 1, 1), false, false, false, false));
        assertEquals(LinearKernel.GEMM, choose(new ConvGeometry(64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 2, 2, 2, 2, 1), false, false, false, false));
    }

    @Test
    void denseLayersRunAMatrixVectorProduct() {
        assertEquals(LinearKernel.GEMV, LinearKernel.choose(new Situation(null, Activation.NONE, false, false, false, false, false, 1)));
    }
}
