package dev.fovea.spark;

import dev.fovea.runtime.image.ImagePreprocessing.ImageException;
import java.awt.image.BufferedImage;
import org.apache.spark.sql.Row;

/**
 * A row of Spark's image data source ({@code spark.read().format("image")}) as a picture: the struct
 * {@code image} of {@code origin}, {@code height}, {@code width}, {@code nChannels}, {@code mode} and
 * {@code data}, whose bytes are OpenCV's: row by row, each pixel's channels in the order blue, green,
 * red (and alpha), or one grey value.
 */
final class SparkImage {
    private SparkImage() {}

    /** The image's file, for errors. */
    static String origin(Row image) {
        String origin = image.getAs("origin");
        return origin == null ? "an image" : origin;
    }

    /** The pixels as RGB; alpha is dropped, as when an encoded image is decoded for a model. */
    static BufferedImage toRgb(Row image) {
        String origin = origin(image);
        int height = image.<Integer>getAs("height");
        int width = image.<Integer>getAs("width");
        int channels = image.<Integer>getAs("nChannels");
        byte[] data = image.getAs("data");
        if (height < 1 || width < 1 || data == null) {
            // the source's row for a file it could not decode (without dropInvalid): height, width and channels -1
            throw new ImageException(origin + ": Spark's image source could not decode it");
        }
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new ImageException(origin + ": " + channels + " channels; Spark's image rows have 1, 3 or 4");
        }
        if (data.length != (long) height * width * channels) {
            throw new ImageException(origin + ": " + data.length + " bytes for " + height + " x " + width + " x " + channels);
        }
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0, at = 0; y < height; y++) {
            for (int x = 0; x < width; x++, at += channels) {
                int blue = data[at] & 0xff;
                int green = channels == 1 ? blue : data[at + 1] & 0xff;
                int red = channels == 1 ? blue : data[at + 2] & 0xff;
                rgb.setRGB(x, y, red << 16 | green << 8 | blue);
            }
        }
        return rgb;
    }
}
