package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.image.ImagePreprocessing;
import dev.fovea.runtime.weights.Parameters;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fovea predict", description = {"Resizes, crops and normalises each image as torchvision's evaluation transform does, runs them as one batch, and prints "
        + "the K (default 5) likeliest labels of each, with probabilities. Models with 1000 outputs are labelled with ImageNet's "
        + "classes; others by index."})
final class PredictCommand implements Callable<Integer> {
    @picocli.CommandLine.Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Option(names = "--weights", paramLabel = "W.safetensors", required = true)
    Path weights;

    @picocli.CommandLine.Parameters(index = "1..*", paramLabel = "IMAGE", arity = "1..*")
    List<String> images;

    @Option(names = "--top", paramLabel = "K", description = "labels per image, default 5")
    int top = 5;

    @Option(names = "--threads", paramLabel = "T")
    int threads = Cli.processors();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;

    PredictCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws UsageException {
        Cli.range("--threads", threads, 1, 1024);
        Cli.range("--top", top, 1, 1000);
        String name = cli.resolve(model);
        ModelInfo info = cli.zoo().info(name);
        int[] dims = cli.imageInput(name).dims();
        int size = (int) info.input().elements();
        float[] batch = new float[images.size() * size];
        for (int i = 0; i < images.size(); i++) {
            ImagePreprocessing.load(Path.of(images.get(i)), dims[0], dims[1], dims[2], batch, i * size);
        }
        Parameters parameters = cli.loadWeights(name, weights);
        List<String> labels = info.output().elements() == 1000 ? Main.imagenetLabels() : List.of();
        boolean probabilities = info.layers().getLast().type().equals("Softmax");
        try (InferenceSession session = cli.zoo().session(name, parameters.forOneSession(), images.size(), threads)) {
            float[] logits = session.run(batch);
            int classes = (int) info.output().elements();
            for (int i = 0; i < images.size(); i++) {
                float[] p = Arrays.copyOfRange(logits, i * classes, (i + 1) * classes);
                if (!probabilities) {
                    Main.softmax(p);
                }
                cli.out.println(images.get(i));
                boolean[] taken = new boolean[classes];
                for (int k = 0; k < Math.min(top, classes); k++) {
                    int best = -1;
                    for (int c = 0; c < classes; c++) {
                        if (!taken[c] && (best < 0 || p[c] > p[best])) {
                            best = c;
                        }
                    }
                    taken[best] = true;
                    cli.out.printf(Locale.ROOT, "  %6.2f%%  %s%n", 100 * p[best], best < labels.size() ? labels.get(best) : "class " + best);
                }
            }
        }
        return 0;
    }
}
