package dev.fovea.runtime.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Turns an image file into a model's input the way torchvision's evaluation transforms do: resize the
 * shorter side to the input size / 0.875 (256 for 224), crop the centre, scale to [0, 1], and for three
 * channels normalise with ImageNet's mean and standard deviation. One channel is the pixels' luminance.
 */
public final class ImagePreprocessing {
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private ImagePreprocessing() {}

    /** An image that cannot be used, with the file and the reason. */
    public static final class ImageException extends RuntimeException {
        public ImageException(String message) {
            super(message);
        }
    }

    /** Reads {@code file} into {@code out} at {@code offset}: channels x height x width, as the model expects. */
    public static void load(Path file, int channels, int height, int width, float[] out, int offset) {
        BufferedImage crop = resizeAndCrop(decode(file, channels), height, width, 0.875);
        write(crop, channels, out, offset, true);
    }

    /** The same for an encoded image in memory (a row of Spark's binary-file source); {@code source} names it in errors. */
    public static void load(byte[] encoded, String source, int channels, int height, int width, float[] out, int offset) {
        BufferedImage image;
        try {
            image = ImageIO.read(new java.io.ByteArrayInputStream(encoded));
        } catch (IOException | RuntimeException e) {
            throw new ImageException(source + ": cannot decode: " + e.getMessage());
        }
        load(image, source, channels, height, width, out, offset);
    }

    /** The same for a decoded image (a row of Spark's image source); {@code source} names it in errors. */
    public static void load(BufferedImage image, String source, int channels, int height, int width, float[] out, int offset) {
        BufferedImage crop = resizeAndCrop(checked(image, source, channels), height, width, 0.875);
        write(crop, channels, out, offset, true);
    }

    /**
     * Reads {@code file} as training data: the shorter side resized to the larger of height and width, the
     * centre cropped, values in [0, 1] without normalisation (augmentation normalises later).
     */
    public static void pixels(Path file, int channels, int height, int width, float[] out, int offset) {
        BufferedImage crop = resizeAndCrop(decode(file, channels), height, width, 1);
        write(crop, channels, out, offset, false);
    }

    private static BufferedImage decode(Path file, int channels) {
        BufferedImage image;
        try {
            if (!Files.isRegularFile(file)) {
                throw new ImageException(file + ": no such file");
            }
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageException ie) {
                throw ie;
            }
            throw new ImageException(file + ": cannot decode: " + e.getMessage());
        }
        return checked(image, file.toString(), channels);
    }

    private static BufferedImage checked(BufferedImage image, String source, int channels) {
        if (image == null) {
            throw new ImageException(source + ": not an image Java can decode (PNG, JPEG, BMP, GIF, WBMP)");
        }
        if (channels != 1 && channels != 3) {
            throw new ImageException("the model takes " + channels + " channels; images give 1 or 3");
        }
        return image;
    }

    /** One channel is the luminance; three are RGB, normalised with ImageNet's statistics when asked. */
    private static void write(BufferedImage crop, int channels, float[] out, int offset, boolean normalise) {
        int height = crop.getHeight();
        int width = crop.getWidth();
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = crop.getRGB(x, y);
                float r = ((rgb >> 16) & 0xff) / 255f;
                float g = ((rgb >> 8) & 0xff) / 255f;
                float b = (rgb & 0xff) / 255f;
                int at = offset + y * width + x;
                if (channels == 1) {
                    out[at] = 0.299f * r + 0.587f * g + 0.114f * b;
                } else if (normalise) {
                    out[at] = (r - MEAN[0]) / STD[0];
                    out[at + plane] = (g - MEAN[1]) / STD[1];
                    out[at + 2 * plane] = (b - MEAN[2]) / STD[2];
                } else {
                    out[at] = r;
                    out[at + plane] = g;
                    out[at + 2 * plane] = b;
                }
            }
        }
    }

    /** Bilinear resize of the shorter side to size / {@code cropRatio}, then the centre height x width. */
    static BufferedImage resizeAndCrop(BufferedImage image, int height, int width, double cropRatio) {
        double target = Math.round(Math.max(height, width) / cropRatio);
        double scale = target / Math.min(image.getWidth(), image.getHeight());
        int w = Math.max(width, (int) Math.round(image.getWidth() * scale));
        int h = Math.max(height, (int) Math.round(image.getHeight() * scale));
        BufferedImage resized = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = resized.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return resized.getSubimage((w - width) / 2, (h - height) / 2, width, height);
    }
}
