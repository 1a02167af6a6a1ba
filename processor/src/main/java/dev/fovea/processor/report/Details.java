package dev.fovea.processor.report;

import dev.fovea.processor.graph.Hw;
import dev.fovea.processor.graph.Op;
import dev.fovea.processor.graph.Pads;
import java.util.Locale;

/** A layer's hyper-parameters in a few characters, for the summary table: {@code 3x3/2 p1 g32}. */
final class Details {
    private Details() {}

    static String of(Op op) {
        return switch (op) {
            case Op.Conv c -> window(c.kernel(), c.stride(), c.padding(), c.dilation())
                    + (c.isDepthwise() ? " depthwise" : c.groups() > 1 ? " g" + c.groups() : "")
                    + (c.isPartial() ? " partial" : "") + (c.bias() ? "" : " no-bias");
            case Op.ConvTranspose t -> window(t.kernel(), t.stride(), Pads.symmetric(t.padding().h(), t.padding().w()), t.dilation());
            case Op.Pool p -> window(p.kernel(), p.stride(), p.padding(), p.dilation()) + (p.ceilMode() ? " ceil" : "");
            case Op.Subsample s -> window(s.kernel(), s.stride(), Pads.symmetric(0, 0), Hw.square(1));
            case Op.Dense d -> d.pointwise() ? "pointwise" : "";
            case Op.Dropout d -> num(d.rate());
            case Op.Border b -> b.top() + " " + b.left() + " " + b.bottom() + " " + b.right();
            case Op.ChannelSplit s -> s.part() + " of " + s.parts();
            case Op.ChannelShuffle s -> s.groups() + " groups";
            case Op.Multiply m -> "x" + num(m.factor());
            case Op.LocalResponseNorm n -> "size " + n.size();
            case Op.Activation a when a.kind() == Op.ActivationKind.LEAKY_RELU -> num(a.slope());
            case Op.Add a -> switch (a.mode()) {
                case PROJECTED -> "projection 1x1/" + a.projectionStride();
                case SKIPPED -> "skipped (shapes differ)";
                default -> "";
            };
            default -> "";
        };
    }

    private static String window(Hw kernel, Hw stride, Pads pads, Hw dilation) {
        StringBuilder sb = new StringBuilder(kernel.h() + "x" + kernel.w());
        if (stride.h() != 1 || stride.w() != 1) {
            sb.append('/').append(stride);
        }
        if (!pads.isZero()) {
            sb.append(" p").append(pads);
        }
        if (dilation.h() != 1 || dilation.w() != 1) {
            sb.append(" d").append(dilation);
        }
        return sb.toString();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
