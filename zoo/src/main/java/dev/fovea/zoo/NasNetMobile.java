package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.From;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;

/**
 * NASNet-A Mobile, "4 @ 1056" (Zoph, Vasudevan, Shlens and Le, "Learning Transferable Architectures for
 * Scalable Image Recognition", 2018), as Keras applications' {@code NASNetMobile} builds it for 224x224
 * images: a strided 3x3 convolution, two reduction cells as the stem, then three stages of four normal
 * cells (44, 88 and 176 filters per operation) with a reduction cell between them, ReLU, global average
 * pooling and a 1000-way classifier (logits; Keras ends in a softmax).
 *
 * <p>Every cell reads the two cells before it. The one two back is first brought to the cell's width
 * ({@link NasNetProjection}) or, after a reduction, also to its size ({@link NasNetFactorizedReduction});
 * the first cell has no cell two back and reads the stem twice, unadjusted, as Keras does. Member names
 * follow Keras' block ids ({@code normal_conv_1_5} is {@code normal5.conv1}).
 *
 * <p>Figures: Keras applications' {@code NASNetMobile().count_params()} is 5,326,716, of which 36,738
 * are batch norm's moving means and variances (18,369 channels of batch norm, two each), which Fovea
 * counts apart as buffers: 5,289,978 learned parameters. The paper gives 5.3M parameters and 564M
 * multiply-adds; counted as torchvision counts (convolutions and the classifier), this network has
 * 563,638,816, which is the paper's figure rounded.
 */
@Network(input = {3, 224, 224})
@Expect(params = 5_289_978, macs = 563_638_816, output = 1000)
public interface NasNetMobile {
    @Conv2d(filters = 32, kernel = 3, stride = 2, bias = false) @BatchNorm(eps = 1e-3, momentum = 3e-4, name = "stem_bn1") Layer stemConv1();

    @NasNetReductionCell(filters = 11, evenInput = false) @From({"stemConv1", "stemConv1"}) Layer stem1();
    @NasNetFactorizedReduction(filters = 22) @From("stemConv1") Layer stem2Adjust();
    @NasNetReductionCell(filters = 22) @From({"stem1", "stem2Adjust"}) Layer stem2();

    @NasNetFactorizedReduction(filters = 44) @From("stem1") Layer normal0Adjust();
    @NasNetNormalCell(filters = 44) @From({"stem2", "normal0Adjust"}) Layer normal0();
    @NasNetProjection(filters = 44) @From("stem2") Layer normal1Adjust();
    @NasNetNormalCell(filters = 44) @From({"normal0", "normal1Adjust"}) Layer normal1();
    @NasNetProjection(filters = 44) @From("normal0") Layer normal2Adjust();
    @NasNetNormalCell(filters = 44) @From({"normal1", "normal2Adjust"}) Layer normal2();
    @NasNetProjection(filters = 44) @From("normal1") Layer normal3Adjust();
    @NasNetNormalCell(filters = 44) @From({"normal2", "normal3Adjust"}) Layer normal3();

    @NasNetProjection(filters = 88) @From("normal2") Layer reduce4Adjust();
    @NasNetReductionCell(filters = 88) @From({"normal3", "reduce4Adjust"}) Layer reduce4();

    @NasNetFactorizedReduction(filters = 88) @From("normal3") Layer normal5Adjust();
    @NasNetNormalCell(filters = 88) @From({"reduce4", "normal5Adjust"}) Layer normal5();
    @NasNetProjection(filters = 88) @From("reduce4") Layer normal6Adjust();
    @NasNetNormalCell(filters = 88) @From({"normal5", "normal6Adjust"}) Layer normal6();
    @NasNetProjection(filters = 88) @From("normal5") Layer normal7Adjust();
    @NasNetNormalCell(filters = 88) @From({"normal6", "normal7Adjust"}) Layer normal7();
    @NasNetProjection(filters = 88) @From("normal6") Layer normal8Adjust();
    @NasNetNormalCell(filters = 88) @From({"normal7", "normal8Adjust"}) Layer normal8();

    @NasNetProjection(filters = 176) @From("normal7") Layer reduce8Adjust();
    @NasNetReductionCell(filters = 176) @From({"normal8", "reduce8Adjust"}) Layer reduce8();

    @NasNetFactorizedReduction(filters = 176) @From("normal8") Layer normal9Adjust();
    @NasNetNormalCell(filters = 176) @From({"reduce8", "normal9Adjust"}) Layer normal9();
    @NasNetProjection(filters = 176) @From("reduce8") Layer normal10Adjust();
    @NasNetNormalCell(filters = 176) @From({"normal9", "normal10Adjust"}) Layer normal10();
    @NasNetProjection(filters = 176) @From("normal9") Layer normal11Adjust();
    @NasNetNormalCell(filters = 176) @From({"normal10", "normal11Adjust"}) Layer normal11();
    @NasNetProjection(filters = 176) @From("normal10") Layer normal12Adjust();
    @NasNetNormalCell(filters = 176) @From({"normal11", "normal12Adjust"}) Layer normal12();

    @ReLU Layer relu();
    @GlobalAvgPool Layer avgPool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer predictions();
}
