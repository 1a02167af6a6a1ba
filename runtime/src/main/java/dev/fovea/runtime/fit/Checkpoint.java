package dev.fovea.runtime.fit;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.runtime.weights.WeightsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a run needs to continue exactly, in one safetensors file: the model's tensors (batch-norm
 * statistics included) under {@code model/}, the optimiser's state under {@code optimizer/}, and in the
 * metadata where the run stands (epoch, next batch, steps, the seed its shuffles and augmentations come
 * from, the epoch's running sums) and the finished epochs' figures. Written atomically.
 */
public record Checkpoint(Position position, Map<String, LoadedTensor> model, Map<String, LoadedTensor> optimizer,
        List<EpochResult> history) {
    static final String FORMAT = "fovea-checkpoint-1";
    private static final String MODEL = "model/";
    private static final String OPTIMIZER = "optimizer/";

    /**
     * Where a run stands: {@code batch} is the next batch of {@code epoch}; {@code sessionSteps} drives
     * dropout masks; the sums are the epoch's so far (loss times samples, correct top-1, samples).
     */
    public record Position(String modelName, String optimizerName, int batchSize, long seed, int epoch, int batch, long sessionSteps,
            double lossSum, long correct, long seen) {
    }

    public void write(Path file) {
        Map<String, LoadedTensor> tensors = new LinkedHashMap<>();
        model.forEach((name, t) -> tensors.put(MODEL + name, t));
        optimizer.forEach((name, t) -> tensors.put(OPTIMIZER + name, t));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("model", position.modelName());
        meta.put("optimizer", position.optimizerName());
        meta.put("batch_size", Integer.toString(position.batchSize()));
        meta.put("seed", Long.toString(position.seed()));
        meta.put("epoch", Integer.toString(position.epoch()));
        meta.put("batch", Integer.toString(position.batch()));
        meta.put("session_steps", Long.toString(position.sessionSteps()));
        meta.put("loss_sum", Double.toString(position.lossSum()));
        meta.put("correct", Long.toString(position.correct()));
        meta.put("seen", Long.toString(position.seen()));
        JsonArray epochs = new JsonArray();
        history.forEach(r -> epochs.add(r.toJson()));
        meta.put("history", epochs.toString());
        SafeTensors.write(file, tensors, meta);
    }

    /** Reads a checkpoint; a file that is not one is a {@link WeightsException} naming it. */
    public static Checkpoint read(Path file) {
        Map<String, String> meta = SafeTensors.metadata(file);
        if (!FORMAT.equals(meta.get("format"))) {
            throw new WeightsException(file + ": not a Fovea checkpoint (its metadata has no format " + FORMAT + ")");
        }
        try {
            Position position = new Position(meta.get("model"), meta.get("optimizer"), Integer.parseInt(meta.get("batch_size")),
                    Long.parseLong(meta.get("seed")), Integer.parseInt(meta.get("epoch")), Integer.parseInt(meta.get("batch")),
                    Long.parseLong(meta.get("session_steps")), Double.parseDouble(meta.get("loss_sum")), Long.parseLong(meta.get("correct")),
                    Long.parseLong(meta.get("seen")));
            List<EpochResult> history = new ArrayList<>();
            for (JsonElement e : JsonParser.parseString(meta.get("history")).getAsJsonArray()) {
                history.add(EpochResult.fromJson(e.getAsJsonObject()));
            }
            Map<String, LoadedTensor> model = new LinkedHashMap<>();
            Map<String, LoadedTensor> optimizer = new LinkedHashMap<>();
            SafeTensors.read(file).forEach((name, t) -> {
                if (name.startsWith(MODEL)) {
                    model.put(name.substring(MODEL.length()), t);
                } else if (name.startsWith(OPTIMIZER)) {
                    optimizer.put(name.substring(OPTIMIZER.length()), t);
                }
            });
            return new Checkpoint(position, model, optimizer, history);
        } catch (RuntimeException e) {
            if (e instanceof WeightsException we) {
                throw we;
            }
            throw new WeightsException(file + ": the checkpoint's metadata is damaged (" + e.getMessage() + ")", e);
        }
    }
}
