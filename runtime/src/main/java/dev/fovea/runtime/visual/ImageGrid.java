package dev.fovea.runtime.visual;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Tiles of C x H x W values (C = 3: colour; otherwise the first channel, grey) as one PNG, row by row
 * with a gap between tiles; small tiles are enlarged (nearest neighbour) to at least 48 pixels. Each tile
 * is scaled on its own: {@link Scaling#CENTRED} maps 0 to mid-grey (deconvnet projections, filters),
 * {@link Scaling#RANGE} maps the tile's smallest value to black and its largest to white (feature maps).
 */
public final class ImageGrid {
    public enum Scaling { CENTRED, RANGE }

    private static final int GAP = 2;

    private ImageGrid() {}

    /** Writes the grid to {@code file}, whole or not at all. */
    public static void write(Path file, List<float[]> tiles, int channels, int height, int width, Scaling scaling) {
        int columns = (int) Math.ceil(Math.sqrt(tiles.size()));
        int rows = (tiles.size() + columns - 1) / columns;
        int zoom = Math.max(1, (48 + Math.max(height, width) - 1) / Math.max(height, width));
        int th = height * zoom;
        int tw = width * zoom;
        BufferedImage image = new BufferedImage(columns * (tw + GAP) + GAP, rows * (th + GAP) + GAP, BufferedImage.TYPE_INT_RGB);
        for (int t = 0; t < tiles.size(); t++) {
            float[] v = tiles.get(t);
            double low = 0;
            double high = 0;
            for (float f : v) {
                low = Math.min(low, f);
                high = Math.max(high, f);
            }
            if (scaling == Scaling.CENTRED) {
                high = Math.max(-low, high);
                low = -high;
            } else {
                low = Double.POSITIVE_INFINITY;
                high = Double.NEGATIVE_INFINITY;
                for (float f : v) {
                    low = Math.min(low, f);
                    high = Math.max(high, f);
                }
            }
            double span = high > low ? high - low : 1;
            int x0 = GAP + (t % columns) * (tw + GAP);
            int y0 = GAP + (t / columns) * (th + GAP);
            for (int y = 0; y < th; y++) {
                for (int x = 0; x < tw; x++) {
                    int p = (y / zoom) * width + x / zoom;
                    int r = level(v[p], low, span);
                    int rgb = channels == 3 ? r << 16 | level(v[height * width + p], low, span) << 8 | level(v[2 * height * width + p], low, span)
                            : r << 16 | r << 8 | r;
                    image.setRGB(x0 + x, y0 + y, rgb);
                }
            }
        }
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            ImageIO.write(image, "png", tmp.toFile());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static int level(double v, double low, double span) {
        return (int) Math.round(Math.clamp((v - low) / span, 0, 1) * 255);
    }
}
