package dev.fovea.zoo;

import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;

/**
 * The LeNet variant the seed lecture codes in PyTorch for CIFAR-10: 64 and 128 5x5 filters, 2x2 max
 * pooling, and dense layers 3200 -> 1024 -> 1024 -> 10. Names follow its module names.
 * Parameters: 4,864 + 204,928 + 3,277,824 + 1,049,600 + 10,250 = 4,547,466.
 * MACs: 64*28*28*75 + 128*10*10*1600 + 3200*1024 + 1024*1024 + 1024*10 = 28,578,816.
 */
@Network(input = {3, 32, 32})
@Expect(params = 4_547_466, macs = 28_578_816, output = 10)
public interface SeedLeNet {
    @Conv2d(filters = 64, kernel = 5) @ReLU Layer conv1();
    @MaxPool2d(kernel = 2) Layer pool1();
    @Conv2d(filters = 128, kernel = 5) @ReLU Layer conv2();
    @MaxPool2d(kernel = 2) Layer pool2();
    @Flatten Layer flatten();
    @Dense(units = 1024) @ReLU Layer fc1();
    @Dense(units = 1024) @ReLU Layer fc2();
    @Dense(units = 10) Layer fc3();
}
