package dev.fovea.processor.cost;

import dev.fovea.processor.graph.Op;
import dev.fovea.processor.infer.Resolved;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.TensorSpec;
import dev.fovea.runtime.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Parameters and multiply-accumulates of each layer, by the convention torchvision and the papers use:
 * MACs count the convolutions and dense layers (and a projection shortcut's convolution), not pooling,
 * normalisation or activations; parameters are weights and biases, not batch norm's running statistics.
 * Each tensor carries PyTorch's default initialisation for its role.
 */
public final class CostModel {
    private CostModel() {}

    public static LayerCost of(Resolved layer) {
        Shape in = layer.inputs().isEmpty() ? layer.output() : layer.input();
        Shape out = layer.output();
        String p = layer.node().paramName();
        List<TensorSpec> t = new ArrayList<>();
        long macs = 0;
        switch (layer.op()) {
            case Op.Conv c -> {
                long kernel = (long) c.kernel().h() * c.kernel().w();
                int fanIn;
                if (c.isPartial()) {
                    int links = (int) c.connections().stream().flatMapToInt(String::chars).filter(ch -> ch == 'X').count();
                    fanIn = Math.max(1, links / c.filters()) * (int) kernel;
                    t.add(param(p + ".weight", Init.fanIn(fanIn), links, c.kernel().h(), c.kernel().w()));
                    macs = (long) out.height() * out.width() * links * kernel;
                } else {
                    int perGroup = in.channels() / c.groups();
                    fanIn = perGroup * (int) kernel;
                    t.add(param(p + ".weight", Init.fanIn(fanIn), c.filters(), perGroup, c.kernel().h(), c.kernel().w()));
                    macs = out.elements() * perGroup * kernel;
                }
                if (c.bias()) {
                    t.add(param(p + ".bias", Init.fanIn(fanIn), c.filters()));
                }
            }
            case Op.ConvTranspose c -> {
                int perGroup = c.filters() / c.groups();
                int fanIn = perGroup * c.kernel().h() * c.kernel().w(); // PyTorch takes it from the weight's second dimension
                t.add(param(p + ".weight", Init.fanIn(fanIn), in.channels(), perGroup, c.kernel().h(), c.kernel().w()));
                macs = in.elements() * perGroup * c.kernel().h() * c.kernel().w();
                if (c.bias()) {
                    t.add(param(p + ".bias", Init.fanIn(fanIn), c.filters()));
                }
            }
            case Op.Dense d -> {
                t.add(param(p + ".weight", Init.fanIn(in.dim(0)), d.units(), in.dim(0)));
                macs = out.elements() * in.dim(0);
                if (d.bias()) {
                    t.add(param(p + ".bias", Init.fanIn(in.dim(0)), d.units()));
                }
            }
            case Op.EuclideanRbf rbf -> {
                t.add(param(p + ".weight", Init.fanIn(1), rbf.units(), in.dim(0)));
                macs = (long) rbf.units() * in.dim(0);
            }
            case Op.BatchNorm n -> batchNorm(t, p, in.channels(), n.scale());
            case Op.LayerNorm n -> {
                t.add(param(p + ".weight", Init.ONES, in.channels()));
                t.add(param(p + ".bias", Init.ZEROS, in.channels()));
            }
            case Op.Subsample s -> {
                int area = s.kernel().h() * s.kernel().w();
                t.add(param(p + ".weight", Init.fanIn(area), in.channels()));
                t.add(param(p + ".bias", Init.fanIn(area), in.channels()));
            }
            case Op.LayerScale s -> t.add(in.isSpatial() ? param(p, Init.constant(s.init()), in.channels(), 1, 1)
                    : param(p, Init.constant(s.init()), in.channels()));
            case Op.Add a when a.mode() == Op.AddMode.PROJECTED -> {
                int from = layer.inputs().get(1).channels();
                t.add(param(p + ".0.weight", Init.fanIn(from), out.channels(), from, 1, 1));
                batchNorm(t, p + ".1", out.channels(), true);
                macs = out.elements() * from;
            }
            default -> {
                // Pooling, activations, dropout, flatten, concatenation, scaling: no parameters, no MACs.
            }
        }
        return new LayerCost(t, macs);
    }

    private static void batchNorm(List<TensorSpec> t, String p, int channels, boolean scale) {
        if (scale) {
            t.add(param(p + ".weight", Init.ONES, channels));
        }
        t.add(param(p + ".bias", Init.ZEROS, channels));
        t.add(new TensorSpec(p + ".running_mean", new int[] {channels}, true, Init.ZEROS));
        t.add(new TensorSpec(p + ".running_var", new int[] {channels}, true, Init.ONES));
    }

    private static TensorSpec param(String name, Init init, int... shape) {
        return new TensorSpec(name, shape, false, init);
    }
}
