package dev.fovea.zoo;

import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.EuclideanRbf;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.Subsample;
import dev.fovea.annotations.Tanh;

/**
 * LeNet-5 as LeCun et al. (1998) build it: trainable subsampling (a coefficient and a bias per map),
 * C3's partial connection table (table I of the paper), and Euclidean RBF output units. The seed
 * lectures' "about 60 thousand" parameters: 156 + 12 + 1,516 + 32 + 48,120 + 10,164 + 840 = 60,840.
 * The paper squashes with a scaled tanh, 1.7159 tanh(2a/3); {@code @Tanh} is the plain one.
 */
@Network(input = {1, 32, 32})
@Expect(params = 60_840, macs = 326_520, output = 10)
public interface LeNet5 {
    @Conv2d(filters = 6, kernel = 5) @Tanh Layer c1();
    @Subsample @Tanh Layer s2();
    @Conv2d(filters = 16, kernel = 5, connections = {
            "X...XXX..XXXX.XX",
            "XX...XXX..XXXX.X",
            "XXX...XXX..X.XXX",
            ".XXX..XXXX..X.XX",
            "..XXX..XXXX.XX.X",
            "...XXX..XXXX.XXX"}) @Tanh Layer c3();
    @Subsample @Tanh Layer s4();
    @Conv2d(filters = 120, kernel = 5) @Tanh Layer c5();
    @Flatten Layer flatten();
    @Dense(units = 84) @Tanh Layer f6();
    @EuclideanRbf(units = 10) Layer output();
}
