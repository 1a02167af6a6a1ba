package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.image.ImagePreprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A folder with one sub-folder of images per class, as torchvision's ImageFolder reads it: classes in
 * sorted order, images (PNG, JPEG, BMP) in sorted order within each. Images are decoded when read,
 * on the loader's background thread, to {@code shape}: the shorter side resized to the larger of its
 * height and width, the centre cropped.
 */
public final class ImageFolder extends LabelledSamples {
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp");

    private final Shape shape;
    private final List<Path> files;

    private ImageFolder(Path root, Shape shape, List<String> classes, List<Path> files, int[] labels) {
        super(root.toString(), labels, shape, classes);
        this.shape = shape;
        this.files = List.copyOf(files);
    }

    public static ImageFolder read(Path root, Shape shape) {
        if (!shape.isSpatial() || (shape.channels() != 1 && shape.channels() != 3)) {
            throw new DataException(root + ": images give 1 or 3 channels of height x width, not " + shape);
        }
        if (!Files.isDirectory(root)) {
            throw new DataException(root + ": " + (Files.exists(root) ? "not a directory" : "no such directory"));
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                List<Path> images;
                try (Stream<Path> inside = Files.list(dir)) {
                    images = inside.filter(ImageFolder::isImage).sorted().toList();
                }
                if (images.isEmpty()) {
                    continue;
                }
                for (Path image : images) {
                    files.add(image);
                    labels.add(classes.size());
                }
                classes.add(dir.getFileName().toString());
            }
        } catch (IOException e) {
            throw new DataException(root + ": cannot list: " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new DataException(root + ": no class folders with images (" + String.join(", ", EXTENSIONS) + ") in it");
        }
        return new ImageFolder(root, shape, classes, files, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(file) && EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    @Override
    public void read(int index, float[] into, int offset) {
        try {
            ImagePreprocessing.pixels(files.get(index), shape.channels(), shape.height(), shape.width(), into, offset);
        } catch (ImagePreprocessing.ImageException e) {
            throw new DataException(e.getMessage());
        }
    }
}
