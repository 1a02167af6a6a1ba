package dev.fovea.processor.infer;

import dev.fovea.annotations.Shortcut;
import dev.fovea.processor.graph.Hw;
import dev.fovea.processor.graph.Op;
import dev.fovea.processor.graph.Pads;
import dev.fovea.runtime.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The shape rule of every layer type: output shape from input shapes, or a diagnostic saying why not. */
final class ShapeRules {
    private ShapeRules() {}

    static Optional<Resolved> apply(LayerCheck c) {
        return Optional.ofNullable(switch (c.op()) {
            case Op.Input in -> throw new IllegalStateException("the input has no rule");
            case Op.Conv conv -> conv(c, conv);
            case Op.ConvTranspose t -> convTranspose(c, t);
            case Op.Pool pool -> pool(c, pool);
            case Op.AdaptiveAvgPool p -> spatial(c) ? c.ok(p, Shape.of(c.input().channels(), p.output().h(), p.output().w())) : null;
            case Op.Flatten f -> flatten(c, f);
            case Op.Dense d -> dense(c, d);
            case Op.EuclideanRbf rbf -> flat(c) ? c.ok(rbf, Shape.of(rbf.units())) : null;
            case Op.Subsample s -> subsample(c, s);
            case Op.LocalResponseNorm n -> spatial(c) ? c.ok(n, c.input()) : null;
            case Op.BatchNorm n -> c.ok(n, c.input());
            case Op.LayerNorm n -> c.ok(n, c.input());
            case Op.LayerScale s -> c.ok(s, c.input());
            case Op.Multiply m -> c.ok(m, c.input());
            case Op.Dropout d -> c.ok(d, c.input());
            case Op.Border b -> border(c, b);
            case Op.ChannelSplit s -> channelSplit(c, s);
            case Op.ChannelShuffle s -> channelShuffle(c, s);
            case Op.Activation a -> c.ok(a, c.input());
            case Op.Add add -> add(c, add);
            case Op.Concat concat -> concat(c, concat);
            case Op.Scale scale -> scale(c, scale);
        });
    }

    /** Checks that the input is C x H x W; reports and returns false when it is flat. */
    private static boolean spatial(LayerCheck c) {
        if (c.input().isSpatial()) {
            return true;
        }
        c.error("ShapeMismatch", null, c.annotation() + " needs a C x H x W input but gets the flat " + c.input(),
                "move it before the @Flatten, or use @Dense on flat features");
        return false;
    }

    /** Checks that the input is flat; reports and returns false when it is C x H x W. */
    private static boolean flat(LayerCheck c) {
        if (c.input().isFlat()) {
            return true;
        }
        c.error("ShapeMismatch", null, c.annotation() + " needs a flat input but gets " + c.input(),
                "add `@Flatten Layer flatten();` before " + c.node().name() + " (" + LayerCheck.number(c.input().elements()) + " features)");
        return false;
    }

    private static Resolved conv(LayerCheck c, Op.Conv conv) {
        if (!spatial(c)) {
            return null;
        }
        Shape in = c.input();
        int channels = in.channels();
        int filters = conv.filtersFor(channels);
        if (filters <= 0) {
            c.error("BadArgument", "widthFactor", "widthFactor " + conv.widthFactor() + " leaves no output channels from "
                    + channels + " input channels", "a factor of at least " + (1.0 / channels));
            return null;
        }
        if (!conv.isDepthwise()) {
            groupsDivide(c, channels, filters, conv.groups()); // the output shape holds either way
        }
        if (conv.isPartial() && conv.connections().size() != channels) {
            c.error("ChannelMismatch", "connections", "the connection table has " + conv.connections().size()
                    + " rows but the input has " + channels + " channels", "give one row per input channel");
            return null;
        }
        Optional<Pads> pads = pads(c, conv.padding(), conv.kernel(), conv.stride(), conv.dilation(), in);
        if (pads.isEmpty()) {
            return null;
        }
        Hw out = windows(c, in, conv.kernel(), conv.stride(), pads.get(), conv.dilation(), false);
        if (out == null) {
            return null;
        }
        Op.Conv resolved = conv.resolved(channels, pads.get());
        return c.ok(resolved, Shape.of(resolved.filters(), out.h(), out.w()));
    }

    private static boolean groupsDivide(LayerCheck c, int channels, int filters, int groups) {
        if (channels % groups == 0 && filters % groups == 0) {
            return true;
        }
        String what = channels % groups != 0 ? "the " + channels + " input channels" : "the " + filters + " filters";
        c.error("Groups", "groups", "groups = " + groups + " must divide both the " + channels
                + " input channels and the " + filters + " filters, but does not divide " + what,
                gcd(channels, filters) == 1 ? "use groups = 1" : "choose groups among " + divisors(gcd(channels, filters)));
        return false;
    }

    /**
     * Resolves "same" padding (output {@code ceil(in / stride)}, the odd extra row and column at the end);
     * explicit padding passes through.
     */
    private static Optional<Pads> pads(LayerCheck c, Pads pads, Hw kernel, Hw stride, Hw dilation, Shape in) {
        if (!pads.same()) {
            return Optional.of(pads);
        }
        int th = samePadding(in.height(), kernel.h(), stride.h(), dilation.h());
        int tw = samePadding(in.width(), kernel.w(), stride.w(), dilation.w());
        return Optional.of(new Pads(th / 2, tw / 2, th - th / 2, tw - tw / 2, false));
    }

    private static int samePadding(int in, int kernel, int stride, int dilation) {
        int out = (in + stride - 1) / stride;
        int extent = dilation * (kernel - 1) + 1;
        return Math.max((out - 1) * stride + extent - in, 0);
    }

    /**
     * The number of window positions along height and width: {@code floor((in + pads - extent) / stride) + 1},
     * or with {@code ceil} rounding PyTorch's ceil_mode (where no window may start in the end padding).
     */
    private static Hw windows(LayerCheck c, Shape in, Hw kernel, Hw stride, Pads pads, Hw dilation, boolean ceil) {
        int oh = windows(c, "height", in.height(), kernel.h(), stride.h(), pads.top(), pads.bottom(), dilation.h(), ceil);
        if (oh <= 0) {
            return null; // one error per layer: the width would most often repeat it
        }
        int ow = windows(c, "width", in.width(), kernel.w(), stride.w(), pads.left(), pads.right(), dilation.w(), ceil);
        if (ow <= 0) {
            return null;
        }
        if (!ceil) {
            warnOfDroppedBorder(c, in, kernel, stride, pads, dilation);
        }
        return new Hw(oh, ow);
    }

    private static int windows(LayerCheck c, String axis, int in, int kernel, int stride, int padBefore, int padAfter,
            int dilation, boolean ceil) {
        int extent = dilation * (kernel - 1) + 1;
        int padded = in + padBefore + padAfter;
        if (extent > padded) {
            String extentText = dilation > 1 ? "the dilated kernel spans " + extent : "kernel " + kernel;
            String paddedText = padBefore + padAfter == 0 ? "the " + axis + " " + in
                    : "the padded " + axis + " " + padded + " (" + in + " + " + (padBefore + padAfter) + ")";
            int needed = (extent - in + 1) / 2;
            String fix = in >= 1 && kernel > in
                    ? "use kernel = " + in + " or smaller, or padding = " + needed + " to keep the input in reach"
                    : "padding = " + needed + " makes room for the kernel";
            c.error("KernelTooLarge", dilation > 1 && kernel <= in ? "dilation" : "kernel",
                    extentText + ", more than " + paddedText + " of its input " + c.input(), fix);
            return -1;
        }
        int span = padded - extent;
        if (ceil) {
            int out = (span + stride - 1) / stride + 1;
            if ((out - 1) * stride >= in + padBefore) {
                out--;
            }
            return out;
        }
        return span / stride + 1;
    }

    /**
     * Warns once per layer when the last window ends before the input does: rows or columns of real input
     * (not padding) that no window reads. A kernel smaller than its stride skips rows everywhere by design
     * (a strided 1x1 convolution), so it is not warned of.
     */
    private static void warnOfDroppedBorder(LayerCheck c, Shape in, Hw kernel, Hw stride, Pads pads, Hw dilation) {
        int rows = lostAtEnd(in.height(), kernel.h(), stride.h(), pads.top(), pads.bottom(), dilation.h());
        int columns = lostAtEnd(in.width(), kernel.w(), stride.w(), pads.left(), pads.right(), dilation.w());
        if (rows == 0 && columns == 0) {
            return;
        }
        List<String> lost = new ArrayList<>();
        if (rows > 0) {
            lost.add(rows + " input row" + (rows > 1 ? "s" : ""));
        }
        if (columns > 0) {
            lost.add(columns + " input column" + (columns > 1 ? "s" : ""));
        }
        int axisIn = rows > 0 ? in.height() : in.width();
        int k = rows > 0 ? kernel.h() : kernel.w();
        int s = rows > 0 ? stride.h() : stride.w();
        int before = rows > 0 ? pads.top() : pads.left();
        int after = rows > 0 ? pads.bottom() : pads.right();
        int d = rows > 0 ? dilation.h() : dilation.w();
        c.warning("DropsBorder", "stride", "stride " + stride + " leaves the last " + String.join(" and the last ", lost) + " of "
                + c.input() + " outside every window", suggestKeep(axisIn, k, s, before, after, d)
                + "; @SuppressWarnings(\"Fovea/DropsBorder\") on the member or network accepts it");
    }

    private static int lostAtEnd(int in, int kernel, int stride, int padBefore, int padAfter, int dilation) {
        int extent = dilation * (kernel - 1) + 1;
        if (extent < stride) {
            return 0;
        }
        int dropped = (in + padBefore + padAfter - extent) % stride;
        return Math.max(0, dropped - padAfter);
    }

    private static String suggestKeep(int in, int kernel, int stride, int padBefore, int padAfter, int dilation) {
        int extent = dilation * (kernel - 1) + 1;
        for (int p = padBefore; p <= padBefore + extent; p++) {
            if ((in + 2 * p - extent) % stride == 0 && (in + 2 * p - extent) >= 0) {
                return "padding = " + p + " covers the whole input";
            }
        }
        return "choose a stride that divides the input";
    }

    private static Resolved convTranspose(LayerCheck c, Op.ConvTranspose t) {
        if (!spatial(c) || !groupsDivide(c, c.input().channels(), t.filters(), t.groups())) {
            return null;
        }
        if (t.outputPadding().h() >= Math.max(t.stride().h(), t.dilation().h())
                || t.outputPadding().w() >= Math.max(t.stride().w(), t.dilation().w())) {
            c.error("BadArgument", "outputPadding", "outputPadding " + t.outputPadding() + " must be smaller than the stride "
                    + t.stride() + " or the dilation", "");
            return null;
        }
        int oh = (c.input().height() - 1) * t.stride().h() - 2 * t.padding().h() + t.dilation().h() * (t.kernel().h() - 1)
                + t.outputPadding().h() + 1;
        int ow = (c.input().width() - 1) * t.stride().w() - 2 * t.padding().w() + t.dilation().w() * (t.kernel().w() - 1)
                + t.outputPadding().w() + 1;
        if (oh <= 0 || ow <= 0) {
            c.error("EmptyOutput", "padding", "padding " + t.padding() + " leaves an output of " + oh + "x" + ow
                    + " from input " + c.input(), "use less padding");
            return null;
        }
        return c.ok(t, Shape.of(t.filters(), oh, ow));
    }

    private static Resolved pool(LayerCheck c, Op.Pool pool) {
        if (!spatial(c)) {
            return null;
        }
        Optional<Pads> pads = pads(c, pool.padding(), pool.kernel(), pool.stride(), pool.dilation(), c.input());
        if (pads.isEmpty()) {
            return null;
        }
        Pads p = pads.get();
        if (!pool.padding().same() && (2 * p.top() > pool.kernel().h() || 2 * p.left() > pool.kernel().w())) {
            c.error("BadArgument", "padding", "padding " + p + " is more than half the kernel " + pool.kernel()
                    + ": some windows would see only padding", "padding = " + pool.kernel().h() / 2 + " at most");
            return null;
        }
        Hw out = windows(c, c.input(), pool.kernel(), pool.stride(), p, pool.dilation(), pool.ceilMode());
        return out == null ? null : c.ok(pool.withPadding(p), Shape.of(c.input().channels(), out.h(), out.w()));
    }

    private static Resolved subsample(LayerCheck c, Op.Subsample s) {
        if (!spatial(c)) {
            return null;
        }
        Hw out = windows(c, c.input(), s.kernel(), s.stride(), Pads.symmetric(0, 0), Hw.square(1), false);
        return out == null ? null : c.ok(s, Shape.of(c.input().channels(), out.h(), out.w()));
    }

    private static Resolved flatten(LayerCheck c, Op.Flatten f) {
        if (c.input().isFlat()) {
            c.warning("Redundant", null, "@Flatten on the input " + c.input() + ", which is flat already, does nothing",
                    "remove it");
        }
        return c.ok(f, Shape.of((int) c.input().elements()));
    }

    private static Resolved dense(LayerCheck c, Op.Dense d) {
        if (d.pointwise()) {
            return spatial(c) ? c.ok(d, c.input().withChannels(d.units())) : null;
        }
        return flat(c) ? c.ok(d, Shape.of(d.units())) : null;
    }

    private static Resolved add(LayerCheck c, Op.Add add) {
        Shape main = c.inputs().get(0);
        Shape shortcut = c.inputs().get(1);
        if (main.equals(shortcut)) {
            return c.ok(add.resolved(Op.AddMode.IDENTITY, 1), main);
        }
        String mismatch = "cannot add " + c.inputName(1) + " " + shortcut + " to " + c.inputName(0) + " " + main;
        switch (add.shortcut()) {
            case WHEN_SHAPES_MATCH -> {
                return c.ok(add.resolved(Op.AddMode.SKIPPED, 1), main);
            }
            case PROJECTION -> {
                int stride = projectionStride(main, shortcut);
                if (stride > 0) {
                    return c.ok(add.resolved(Op.AddMode.PROJECTED, stride), main);
                }
                c.error("SpatialMismatch", null, mismatch + ": no 1x1 projection with a whole stride maps "
                        + shortcut + " onto " + main, "make the spatial sizes divide evenly");
                return null;
            }
            case IDENTITY -> {
                boolean sameRank = main.rank() == shortcut.rank();
                String tag = sameRank && main.isSpatial() && main.height() == shortcut.height()
                        && main.width() == shortcut.width() ? "ChannelMismatch" : "SpatialMismatch";
                String fix = projectionStride(main, shortcut) > 0
                        ? "shortcut = Shortcut.PROJECTION adds a 1x1 convolution (stride " + projectionStride(main, shortcut)
                                + ") and batch norm on the shortcut"
                        : "";
                c.error(tag, null, mismatch, fix);
                return c.ok(add.resolved(Op.AddMode.IDENTITY, 1), main); // the sum has the main input's shape
            }
        }
        throw new IllegalStateException("unknown shortcut " + add.shortcut());
    }

    /** The stride of a 1x1 convolution that maps {@code from}'s height and width onto {@code to}'s, or -1. */
    private static int projectionStride(Shape to, Shape from) {
        if (!to.isSpatial() || !from.isSpatial()) {
            return -1;
        }
        for (int s = 1; s <= Math.max(from.height(), from.width()); s++) {
            if ((from.height() - 1) / s + 1 == to.height() && (from.width() - 1) / s + 1 == to.width()) {
                return s;
            }
        }
        return -1;
    }

    private static Resolved concat(LayerCheck c, Op.Concat concat) {
        Shape first = c.inputs().getFirst();
        int channels = 0;
        for (int i = 0; i < c.inputs().size(); i++) {
            Shape s = c.inputs().get(i);
            boolean agrees = s.rank() == first.rank() && (s.isFlat() || (s.height() == first.height() && s.width() == first.width()));
            if (!agrees) {
                List<String> all = new ArrayList<>();
                for (int j = 0; j < c.inputs().size(); j++) {
                    all.add(c.inputName(j) + " " + c.inputs().get(j));
                }
                String fix = s.isSpatial() && first.isSpatial()
                        ? "give " + c.inputName(i) + " the padding or stride that keeps " + first.height() + "x" + first.width()
                        : "";
                c.error("SpatialMismatch", "value", "@Concat joins along channels, so heights and widths must agree, but "
                        + c.inputName(i) + " is " + s + " and " + c.inputName(0) + " is " + first
                        + " (" + String.join(", ", all) + ")", fix);
                return null;
            }
            channels += s.channels();
        }
        return c.ok(concat, first.withChannels(channels));
    }

    private static Resolved border(LayerCheck c, Op.Border b) {
        if (!spatial(c)) {
            return null;
        }
        int sign = b.crop() ? -1 : 1;
        int h = c.input().height() + sign * (b.top() + b.bottom());
        int w = c.input().width() + sign * (b.left() + b.right());
        if (h <= 0 || w <= 0) {
            c.error("EmptyOutput", h <= 0 ? "top" : "left", "@Crop of " + (b.top() + b.bottom()) + " rows and " + (b.left() + b.right())
                    + " columns leaves nothing of " + c.input(), "");
            return null;
        }
        return c.ok(b, Shape.of(c.input().channels(), h, w));
    }

    private static Resolved channelSplit(LayerCheck c, Op.ChannelSplit s) {
        if (!spatial(c)) {
            return null;
        }
        int channels = c.input().channels();
        if (s.part() < 0 || s.part() >= s.parts()) {
            c.error("BadArgument", "part", "part must be in [0, " + s.parts() + ") but is " + s.part(), "");
            return null;
        }
        if (channels % s.parts() != 0) {
            c.error("Groups", "parts", "@ChannelSplit needs parts that divide the " + channels + " channels of " + c.input()
                    + ", but parts is " + s.parts(), "");
            return null;
        }
        return c.ok(s, c.input().withChannels(channels / s.parts()));
    }

    private static Resolved channelShuffle(LayerCheck c, Op.ChannelShuffle s) {
        if (!spatial(c)) {
            return null;
        }
        if (c.input().channels() % s.groups() != 0) {
            c.error("Groups", "value", "@ChannelShuffle needs groups that divide the " + c.input().channels() + " channels of "
                    + c.input() + ", but it is " + s.groups(), "");
            return null;
        }
        return c.ok(s, c.input());
    }

    private static Resolved scale(LayerCheck c, Op.Scale scale) {
        Shape gates = c.inputs().get(0);
        Shape target = c.inputs().get(1);
        boolean perChannel = gates.isFlat() || (gates.isSpatial() && gates.height() == 1 && gates.width() == 1);
        if (!perChannel || gates.channels() != target.channels()) {
            c.error("ChannelMismatch", null, "@Scale needs one gate per channel of " + c.inputName(1) + " " + target
                    + " (" + target.channels() + "x1x1) but gets " + gates,
                    perChannel ? "make the last layer before the gates produce " + target.channels() + " channels" : "add @GlobalAvgPool first");
            return c.ok(scale, target); // the scaled tensor keeps its shape
        }
        return c.ok(scale, target);
    }

    static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static String divisors(int n) {
        List<String> d = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            if (n % i == 0) {
                d.add(Integer.toString(i));
            }
        }
        return String.join(", ", d);
    }
}
