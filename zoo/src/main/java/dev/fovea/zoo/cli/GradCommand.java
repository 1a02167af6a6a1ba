package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.runtime.weights.WeightsException;
import dev.fovea.zoo.Zoo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fovea grad", description = {"X holds \"input\" (float32, N x C x H x W) and \"labels\" (I64 or I32, N). Runs one forward and backward pass in "
        + "training mode (batch statistics; dropout off) with the mean softmax cross-entropy, and writes \"loss\" and the gradient "
        + "of every trainable tensor, under the tensor's own name, to G."})
final class GradCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    TensorFiles files = new TensorFiles();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;

    GradCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws UsageException, java.io.IOException {
        int threads = Cli.range("--threads", files.threads, 1, 1024);
        Path weights = files.weights;
        Path inputFile = files.input;
        Path outputFile = files.output;
        String name = cli.resolve(files.model);
        ModelInfo info = cli.zoo().info(name);
        Map<String, LoadedTensor> tensors = SafeTensors.read(inputFile);
        LoadedTensor x = tensors.get("input");
        LoadedTensor y = tensors.get("labels");
        if (x == null || y == null) {
            List<String> held = List.copyOf(tensors.keySet());
            throw new WeightsException(inputFile + ": needs tensors named input and labels but holds " + held.size() + " others ("
                    + String.join(", ", held.subList(0, Math.min(3, held.size()))) + (held.size() > 3 ? ", ..." : "") + ")");
        }
        int batch = Samples.count(inputFile, "input", x, name, info);
        if (y.shape().length != 1 || y.shape()[0] != batch) {
            throw new WeightsException(inputFile + ": labels are " + Arrays.toString(y.shape()) + " but input holds " + batch + " samples");
        }
        int[] labels = new int[batch];
        int classes = Math.toIntExact(info.output().elements());
        for (int i = 0; i < batch; i++) {
            float label = y.data()[i];
            if (label != Math.rint(label) || label < 0 || label >= classes) {
                throw new WeightsException(inputFile + ": label " + label + " of sample " + i + " is not a class of " + Zoo.simpleName(name)
                        + " (0 to " + (classes - 1) + ")");
            }
            labels[i] = (int) label;
        }
        Parameters parameters = cli.loadWeights(name, weights);
        Map<String, LoadedTensor> result = new java.util.LinkedHashMap<>();
        double loss;
        try (dev.fovea.runtime.train.TrainingSession session = cli.zoo().trainingSession(name, parameters, batch, threads)) {
            session.dropout(false);
            loss = session.forwardBackward(x.data(), labels);
            result.put("loss", new LoadedTensor(new int[] {}, new float[] {(float) loss}));
            result.putAll(session.gradients().asMap());
        }
        SafeTensors.write(outputFile, result, Map.of("model", Zoo.simpleName(name)));
        cli.out.printf(Locale.ROOT, "%s: loss %.6f and %d gradients for %d sample%s of %s%n", outputFile, loss, result.size() - 1, batch,
                batch == 1 ? "" : "s", Zoo.simpleName(name));
        return 0;
    }
}
