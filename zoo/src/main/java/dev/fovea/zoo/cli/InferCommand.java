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

@Command(name = "fovea infer", description = {"Runs the batch in X (one float tensor, N x C x H x W, or C x H x W for one sample) through MODEL with the weights in W, "
        + "and writes the outputs to Y as one tensor named \"logits\", N x classes."})
final class InferCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    TensorFiles files = new TensorFiles();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;

    InferCommand(Cli cli) {
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
        Map<String, LoadedTensor> inputs = SafeTensors.read(inputFile);
        if (inputs.size() != 1) {
            throw new WeightsException(inputFile + ": holds " + inputs.size() + " tensors (" + String.join(", ", inputs.keySet())
                    + "); infer takes one, N x " + info.input());
        }
        String tensor = inputs.keySet().iterator().next();
        LoadedTensor x = inputs.get(tensor);
        int batch = Arrays.equals(x.shape(), info.input().dims()) ? 1 : Samples.count(inputFile, tensor, x, name, info);
        Parameters parameters = cli.loadWeights(name, weights);
        long t0 = System.nanoTime();
        float[] logits;
        try (InferenceSession session = cli.zoo().session(name, parameters.forOneSession(), batch, threads)) {
            logits = session.run(x.data()).clone();
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        int[] outShape = new int[info.output().rank() + 1];
        outShape[0] = batch;
        System.arraycopy(info.output().dims(), 0, outShape, 1, info.output().rank());
        SafeTensors.write(outputFile, Map.of("logits", new LoadedTensor(outShape, logits)), Map.of("model", Zoo.simpleName(name)));
        cli.out.printf(Locale.ROOT, "%s: logits %s for %d sample%s of %s (%.1f ms, including building the session)%n", outputFile,
                Arrays.toString(outShape), batch, batch == 1 ? "" : "s", Zoo.simpleName(name), ms);
        return 0;
    }
}
