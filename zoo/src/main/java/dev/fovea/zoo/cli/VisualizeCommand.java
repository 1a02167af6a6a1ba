package dev.fovea.zoo.cli;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.image.ImagePreprocessing;
import dev.fovea.runtime.visual.Deconvnet;
import dev.fovea.runtime.visual.ImageGrid;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.zoo.Zoo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fovea visualize", description = {"Zeiler and Fergus' deconvnet: runs the image forward to a layer, takes the strongest "
        + "activation of each of its K most active channels and projects it back to pixels (unpooling to the recorded max-pool "
        + "switches, rectification, transposed filtering). Writes the projections, the layer's feature maps and the first "
        + "convolution's filters as PNG grids beside the image (or in --output-dir)."})
final class VisualizeCommand implements Callable<Integer> {
    @picocli.CommandLine.Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @picocli.CommandLine.Parameters(index = "1", paramLabel = "IMAGE")
    Path image;

    @Option(names = "--weights", paramLabel = "W.safetensors", description = "the weights; without it, freshly initialised ones (seed 0)")
    Path weights;

    @Option(names = "--layer", paramLabel = "NAME", required = true, description = "the layer whose activations are projected (as fovea summary names it)")
    String layer;

    @Option(names = "--top", paramLabel = "K", defaultValue = "9", description = "how many channels to project (default 9)")
    int top;

    @Option(names = "--output-dir", paramLabel = "DIR", description = "where the PNGs go (default: the image's folder)")
    Path outputDir;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;

    VisualizeCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws UsageException {
        Cli.range("--top", top, 1, 4096);
        String name = cli.resolve(model);
        Shape input = cli.imageInput(name);
        float[] x = new float[(int) input.elements()];
        ImagePreprocessing.load(image, input.channels(), input.height(), input.width(), x, 0);
        Parameters parameters = weights == null ? cli.zoo().newParameters(name, 0) : cli.loadWeights(name, weights);
        NetworkGraph graph = cli.zoo().graph(name);
        Deconvnet deconvnet;
        try {
            deconvnet = Deconvnet.run(graph, parameters, x, layer);
        } catch (IllegalArgumentException e) {
            throw new UsageException(Zoo.simpleName(name) + ": " + e.getMessage());
        }
        Shape maps = deconvnet.shape();
        int[] strongest = deconvnet.strongestChannels(Math.min(top, maps.channels()));
        // each projection only reads the recorded forward pass: they run side by side
        List<float[]> projections = java.util.stream.IntStream.of(strongest).parallel().mapToObj(deconvnet::project).toList();
        Path dir = outputDir != null ? outputDir : image.toAbsolutePath().getParent();
        String stem = image.getFileName().toString().replaceFirst("\\.[^.]*$", "") + "." + layer.replaceAll("[^A-Za-z0-9_.-]", "_");
        Path deconv = dir.resolve(stem + ".deconv.png");
        ImageGrid.write(deconv, projections, input.channels(), input.height(), input.width(), ImageGrid.Scaling.CENTRED);
        Path featureMaps = dir.resolve(stem + ".maps.png");
        int positions = maps.height() * maps.width();
        float[] all = deconvnet.featureMaps();
        List<float[]> tiles = new ArrayList<>();
        for (int c = 0; c < maps.channels(); c++) {
            tiles.add(Arrays.copyOfRange(all, c * positions, (c + 1) * positions));
        }
        ImageGrid.write(featureMaps, tiles, 1, maps.height(), maps.width(), ImageGrid.Scaling.RANGE);
        List<Path> written = new ArrayList<>(List.of(deconv, featureMaps));
        if (graph.layers().getFirst() instanceof Layer.Conv2d first) {
            written.add(filters(name, parameters, first, dir));
        }
        cli.out.println(layer + " " + maps + ": channels " + Arrays.toString(strongest).replaceAll("[\\[\\]]", "")
                + " projected, strongest first");
        for (Path p : written) {
            cli.out.println("wrote " + p);
        }
        return 0;
    }

    /** The first convolution's filters, one tile each (in colour when it reads three channels). */
    private static Path filters(String name, Parameters parameters, Layer.Conv2d first, Path dir) {
        Path filters = dir.resolve(Zoo.simpleName(name) + ".filters.png");
        float[] w = parameters.get(first.weight());
        int perFilter = first.in().channels() / first.groups() * first.window().kh() * first.window().kw();
        List<float[]> kernels = new ArrayList<>();
        for (int o = 0; o < first.out().channels(); o++) {
            kernels.add(Arrays.copyOfRange(w, o * perFilter, (o + 1) * perFilter));
        }
        ImageGrid.write(filters, kernels, first.in().channels() / first.groups(), first.window().kh(), first.window().kw(),
                ImageGrid.Scaling.CENTRED);
        return filters;
    }
}
