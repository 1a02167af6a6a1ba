package dev.fovea.runtime.graph;

import dev.fovea.runtime.Shape;

/** The consistency checks the layer records share. */
final class Checks {
    private Checks() {}

    static void spatial(String layer, Shape in, Shape out) {
        if (!in.isSpatial() || !out.isSpatial()) {
            throw new IllegalArgumentException(layer + ": needs C x H x W shapes but has " + in + " -> " + out);
        }
    }

    static void sameChannels(String layer, Shape in, Shape out) {
        if (in.channels() != out.channels()) {
            throw new IllegalArgumentException(layer + ": keeps the channels but maps " + in + " to " + out);
        }
    }

    static void divides(String layer, int groups, int channels, String what) {
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException(layer + ": " + groups + " groups do not divide " + channels + " " + what);
        }
    }

    static void window(String layer, Window w, Shape in, Shape out) {
        window(layer, w, false, in, out);
    }

    static void window(String layer, Window w, boolean ceil, Shape in, Shape out) {
        int oh = w.outHeight(in.height(), ceil);
        int ow = w.outWidth(in.width(), ceil);
        if (oh != out.height() || ow != out.width()) {
            throw new IllegalArgumentException(layer + ": a " + w + " window maps " + in.height() + "x" + in.width() + " to "
                    + oh + "x" + ow + ", not " + out.height() + "x" + out.width());
        }
    }
}
