package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Opens a data set's training and test splits from a short spec, as {@code fovea train --data} takes it:
 * <pre>
 *   fashion-mnist               Debian's dataset-fashion-mnist package (the default)
 *   fashion-mnist:DIR, mnist:DIR, idx:DIR   the four IDX files of MNIST's layout (plain or gzipped)
 *   cifar10:DIR, cifar100:DIR   the binary version's folder
 *   folder:DIR                  one sub-folder per class; DIR/train and DIR/test (or DIR/val) when present
 *   safetensors:TRAIN[,TEST]    'input' and 'labels' tensors
 * </pre>
 */
public final class DataSources {
    /** Where Debian's {@code dataset-fashion-mnist} puts the files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String INSTALL_FASHION_MNIST = "sudo apt-get install dataset-fashion-mnist";
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** A training split and a test split (null when the source has none). */
    public record Splits(Dataset train, Dataset test) {}

    private DataSources() {}

    /** {@code input} is the model's input shape, which image folders decode to. */
    public static Splits open(String spec, Shape input) {
        int colon = spec.indexOf(':');
        String kind = (colon < 0 ? spec : spec.substring(0, colon)).toLowerCase(Locale.ROOT);
        String where = colon < 0 ? null : spec.substring(colon + 1);
        if (where != null && where.isEmpty()) {
            throw new IllegalArgumentException("--data " + spec + ": the path after ':' is empty");
        }
        return switch (kind) {
            case "fashion-mnist", "fashionmnist" -> idx(where == null ? fashionMnist() : Path.of(where), FASHION_MNIST_CLASSES);
            case "mnist", "idx" -> idx(required(where, spec), null);
            case "cifar10", "cifar-10" -> cifar(required(where, spec), CifarFiles.Variant.CIFAR10);
            case "cifar100", "cifar-100" -> cifar(required(where, spec), CifarFiles.Variant.CIFAR100);
            case "folder" -> folder(required(where, spec), input);
            case "safetensors" -> safetensors(required(where, spec).toString());
            default -> throw new IllegalArgumentException("--data " + spec + ": unknown kind '" + kind
                    + "'; use fashion-mnist, mnist:DIR, idx:DIR, cifar10:DIR, cifar100:DIR, folder:DIR or safetensors:FILE[,FILE]");
        };
    }

    /** The folder of Debian's Fashion-MNIST, or an error that says how to install it. */
    public static Path fashionMnist() {
        if (Files.isRegularFile(DEBIAN_FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))) {
            return DEBIAN_FASHION_MNIST;
        }
        throw new DataException("Fashion-MNIST is not installed in " + DEBIAN_FASHION_MNIST + ": run '" + INSTALL_FASHION_MNIST
                + "', or give --data idx:DIR with the four IDX files");
    }

    private static Path required(String where, String spec) {
        if (where == null) {
            throw new IllegalArgumentException("--data " + spec + " needs a path: " + spec + ":PATH");
        }
        return Path.of(where);
    }

    private static Splits idx(Path dir, List<String> classes) {
        return new Splits(IdxFiles.read(dir, "train", classes), IdxFiles.read(dir, "t10k", classes));
    }

    private static Splits cifar(Path dir, CifarFiles.Variant variant) {
        return new Splits(CifarFiles.read(dir, variant, true), CifarFiles.read(dir, variant, false));
    }

    private static Splits folder(Path dir, Shape input) {
        if (Files.isDirectory(dir.resolve("train"))) {
            Path test = Files.isDirectory(dir.resolve("test")) ? dir.resolve("test") : dir.resolve("val");
            Dataset train = ImageFolder.read(dir.resolve("train"), input);
            Dataset testSet = Files.isDirectory(test) ? ImageFolder.read(test, input) : null;
            if (testSet != null && !testSet.classes().equals(train.classes())) {
                throw new DataException(test + ": its classes " + testSet.classes() + " differ from the training set's " + train.classes());
            }
            return new Splits(train, testSet);
        }
        return new Splits(ImageFolder.read(dir, input), null);
    }

    private static Splits safetensors(String files) {
        String[] parts = files.split(",", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("--data safetensors:" + files + ": give a training file and at most one test file");
        }
        return new Splits(SafeTensorsData.read(Path.of(parts[0])), parts.length == 2 ? SafeTensorsData.read(Path.of(parts[1])) : null);
    }
}
