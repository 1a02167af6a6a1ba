package dev.fovea.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.fovea.runtime.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Transforms against hand-worked values, and the seeding that makes augmentation repeatable. */
class AugmentationTest {
    private static final Shape TWO_BY_TWO = Shape.of(1, 2, 2);

    private static float[] apply(Transform t, Shape s, float... in) {
        float[] out = new float[Math.toIntExact(t.output(s).elements())];
        t.apply(in, s, out, new SplittableRandom(1));
        return out;
    }

    @Test
    void padSurroundsWithZeros() {
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0}, apply(new Transform.Pad(1), TWO_BY_TWO, 1, 2, 3, 4));
    }

    @Test
    void centreCropAndFlip() {
        Shape s = Shape.of(1, 3, 3);
        assertArrayEquals(new float[] {5}, apply(new Transform.CenterCrop(1, 1), s, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertArrayEquals(new float[] {2, 1, 4, 3}, apply(new Transform.HorizontalFlip(1), TWO_BY_TWO, 1, 2, 3, 4));
        assertArrayEquals(new float[] {1, 2, 3, 4}, apply(new Transform.HorizontalFlip(0), TWO_BY_TWO, 1, 2, 3, 4));
    }

    @Test
    void bilinearResizeUsesHalfPixelCentres() {
        // torch.nn.functional.interpolate([[1, 2], [3, 4]], size=4, mode="bilinear", align_corners=False), first row
        float[] out = apply(new Transform.Resize(4, 4), TWO_BY_TWO, 1, 2, 3, 4);
        assertArrayEquals(new float[] {1, 1.25f, 1.75f, 2}, java.util.Arrays.copyOf(out, 4), 1e-6f);
        assertArrayEquals(new float[] {3, 3.25f, 3.75f, 4}, java.util.Arrays.copyOfRange(out, 12, 16), 1e-6f);
    }

    @Test
    void randomCropStaysWithinThePaddedImageAndReachesEveryOffset() {
        Transform.RandomCrop crop = new Transform.RandomCrop(2, 2, 1);
        java.util.Set<String> seen = new java.util.HashSet<>();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 400; i++) {
            float[] out = new float[4];
            crop.apply(new float[] {1, 2, 3, 4}, TWO_BY_TWO, out, r);
            seen.add(java.util.Arrays.toString(out));
        }
        assertEquals(9, seen.size()); // 3 x 3 offsets into the 4 x 4 padded image
    }

    @Test
    void theSameSeedEpochAndSampleGiveTheSameAugmentation() {
        Augmentation a = new Augmentation(Shape.of(1, 4, 4), List.of(new Transform.RandomCrop(4, 4, 2), new Transform.HorizontalFlip(0.5)));
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i;
        }
        float[] first = a.apply(x.clone(), new float[16], 7, 2, 11).clone();
        assertArrayEquals(first, a.apply(x.clone(), new float[16], 7, 2, 11));
        boolean differs = false;
        for (int epoch = 3; epoch < 10 && !differs; epoch++) {
            differs = !java.util.Arrays.equals(first, a.apply(x.clone(), new float[16], 7, epoch, 11));
        }
        assertEquals(true, differs);
    }

    @Test
    void evaluationDropsRandomTransformsAndCentresACropOfAnotherSize() {
        Augmentation a = new Augmentation(Shape.of(3, 8, 8), List.of(new Transform.RandomCrop(6, 6, 0), new Transform.HorizontalFlip(0.5),
                new Transform.Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1})));
        assertEquals(List.of(new Transform.CenterCrop(6, 6), new Transform.Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1})),
                a.forEvaluation().transforms());
        Augmentation padded = new Augmentation(Shape.of(3, 8, 8), List.of(new Transform.RandomCrop(8, 8, 4)));
        assertEquals(List.of(), padded.forEvaluation().transforms());
    }

    @Test
    void fitPadsEvenMarginsAndResizesOtherwise() {
        assertEquals(List.of(new Transform.Pad(2)), Augmentation.fit(Shape.of(1, 28, 28), Shape.of(1, 32, 32)));
        assertEquals(List.of(new Transform.Channels(3), new Transform.Resize(224, 224)), Augmentation.fit(Shape.of(1, 28, 28), Shape.of(3, 224, 224)));
        assertEquals(List.of(), Augmentation.fit(Shape.of(3, 32, 32), Shape.of(3, 32, 32)));
    }

    @Test
    void statisticsAreTheMeanAndStandardDeviationPerChannel() {
        float[] values = {0, 1, 0, 1, 0.5f, 0.5f, 0.5f, 0.5f};
        Dataset d = new FloatSamples("two", values, new int[] {0, 1}, Shape.of(1, 2, 2), List.of("a", "b"));
        Transform.Normalize n = Augmentation.statistics(d, Augmentation.none(d.sampleShape()));
        assertEquals(0.5f, n.mean()[0], 1e-7f);
        assertEquals((float) Math.sqrt(0.125), n.std()[0], 1e-6f);
        assertNotEquals(0, n.std()[0]);
    }
}
