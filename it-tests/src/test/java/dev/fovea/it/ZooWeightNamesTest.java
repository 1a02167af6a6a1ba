package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every zoo model torchvision also has names and shapes its tensors exactly as torchvision's state dict
 * does, so that PyTorch weights load by name. The fixtures are torchvision's own lists, written by
 * it-tests/scripts/torchvision_figures.py --state-dicts.
 */
class ZooWeightNamesTest {
    static final Map<String, String> TORCHVISION = Map.ofEntries(
            Map.entry("AlexNet", "alexnet"),
            Map.entry("Vgg11", "vgg11"), Map.entry("Vgg11Bn", "vgg11_bn"), Map.entry("Vgg13", "vgg13"),
            Map.entry("Vgg13Bn", "vgg13_bn"), Map.entry("Vgg16", "vgg16"), Map.entry("Vgg16Bn", "vgg16_bn"),
            Map.entry("Vgg19", "vgg19"), Map.entry("Vgg19Bn", "vgg19_bn"),
            Map.entry("ResNet18", "resnet18"), Map.entry("ResNet34", "resnet34"), Map.entry("ResNet50", "resnet50"),
            Map.entry("ResNet101", "resnet101"), Map.entry("ResNet152", "resnet152"),
            Map.entry("ResNeXt50_32x4d", "resnext50_32x4d"), Map.entry("WideResNet50_2", "wide_resnet50_2"),
            Map.entry("GoogLeNet", "googlenet"),
            Map.entry("InceptionV3", "inception_v3"),
            Map.entry("EfficientNetB0", "efficientnet_b0"),
            Map.entry("ShuffleNetV2", "shufflenet_v2_x1_0"),
            Map.entry("DenseNet121", "densenet121"), Map.entry("DenseNet169", "densenet169"), Map.entry("DenseNet201", "densenet201"),
            Map.entry("MobileNetV2", "mobilenet_v2"), Map.entry("ConvNeXtTiny", "convnext_tiny"),
            Map.entry("SqueezeNet1_0", "squeezenet1_0"), Map.entry("SqueezeNet1_1", "squeezenet1_1"),
            Map.entry("RegNetX400MF", "regnet_x_400mf"), Map.entry("RegNetY400MF", "regnet_y_400mf"));

    @TestFactory
    List<DynamicTest> tensorsMatchTorchvisionsStateDict() {
        return TORCHVISION.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> DynamicTest.dynamicTest(e.getKey() + " = " + e.getValue(), () -> compare(e.getKey(), e.getValue())))
                .toList();
    }

    private static void compare(String zooName, String torchvisionName) throws IOException {
        TreeSet<String> expected = new TreeSet<>(torchvision(torchvisionName));
        TreeSet<String> actual = new TreeSet<>();
        for (JsonElement l : ZooReports.zoo(zooName).getAsJsonArray("layers")) {
            for (JsonElement t : l.getAsJsonObject().getAsJsonArray("tensors")) {
                actual.add(describe(t.getAsJsonObject()));
            }
        }
        TreeSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(actual);
        TreeSet<String> extra = new TreeSet<>(actual);
        extra.removeAll(expected);
        assertEquals("", (missing.isEmpty() ? "" : "missing " + first(missing)) + (extra.isEmpty() ? "" : " extra " + first(extra)),
                zooName + ": " + missing.size() + " of torchvision's tensors missing, " + extra.size() + " extra");
    }

    private static String describe(JsonObject tensor) {
        StringBuilder shape = new StringBuilder();
        for (JsonElement d : tensor.getAsJsonArray("shape")) {
            shape.append(shape.isEmpty() ? "" : "x").append(d.getAsInt());
        }
        return tensor.get("name").getAsString() + " " + shape;
    }

    private static String first(TreeSet<String> names) {
        return names.stream().limit(5).collect(Collectors.joining(", "));
    }

    private static List<String> torchvision(String name) throws IOException {
        try (InputStream in = ZooWeightNamesTest.class.getResourceAsStream("/torchvision/" + name + ".txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
    }
}
