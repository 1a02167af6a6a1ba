package dev.fovea.zoo.cli;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.data.Augmentation;
import dev.fovea.runtime.data.Dataset;
import dev.fovea.runtime.data.Transform;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The transforms of {@code --augment} and {@code --normalize}: from a data set's samples to a model's
 * input for training, and the deterministic part of them for evaluation.
 */
final class Pipelines {
    static final String IMAGENET = "0.485,0.456,0.406/0.229,0.224,0.225";

    record Pair(Augmentation train, Augmentation eval, Transform.Normalize normalize) {}

    private Pipelines() {}

    /**
     * {@code augment}: "none" or a comma list of crop=PADDING, flip, resize=SIZE (before the crop).
     * {@code normalize}: "auto" (the training data's statistics), "none", "imagenet", or MEANS/STDS.
     */
    static Pair build(Dataset train, Shape model, String augment, String normalize) throws UsageException {
        Shape data = train.sampleShape();
        List<Transform> random = new ArrayList<>();
        Integer resize = null;
        if (!augment.equalsIgnoreCase("none")) {
            for (String item : augment.toLowerCase(Locale.ROOT).split(",")) {
                String[] kv = item.strip().split("=", 2);
                switch (kv[0]) {
                    case "flip" -> random.add(new Transform.HorizontalFlip(0.5));
                    case "crop" -> random.add(new Transform.RandomCrop(model.height(), model.width(), number(kv, item)));
                    case "resize" -> resize = number(kv, item);
                    default -> throw new UsageException("--augment: unknown '" + item + "'; use none or a list of crop=PADDING, flip, resize=SIZE");
                }
            }
        }
        if (!model.isSpatial() && (!random.isEmpty() || resize != null)) {
            throw new UsageException("--augment crops and flips images; this model's input is " + model);
        }
        List<Transform> fixed = new ArrayList<>();
        try {
            Shape at = data;
            if (resize != null) {
                if (data.channels() != model.channels()) {
                    fixed.add(new Transform.Channels(model.channels()));
                }
                fixed.add(new Transform.Resize(resize, resize));
                at = Shape.of(model.channels(), resize, resize);
                if (resize < model.height() || resize < model.width()) {
                    throw new UsageException("--augment resize=" + resize + " is smaller than the model's input " + model);
                }
                if (random.stream().noneMatch(t -> t instanceof Transform.RandomCrop)) {
                    random.addFirst(new Transform.RandomCrop(model.height(), model.width(), 0));
                }
            } else {
                fixed.addAll(Augmentation.fit(data, model));
            }
            Transform.Normalize norm = normalization(train, at, fixed, normalize);
            List<Transform> trainList = new ArrayList<>(fixed);
            trainList.addAll(random);
            if (norm != null) {
                trainList.add(norm);
            }
            Augmentation trainAug = new Augmentation(data, trainList);
            if (!trainAug.output().equals(model)) {
                throw new UsageException("--augment " + augment + " makes samples of " + trainAug.output() + "; the model takes " + model);
            }
            return new Pair(trainAug, trainAug.forEvaluation(), norm);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The evaluation pipeline of a trained model: the fit to its input, then its training's normalisation (or none). */
    static Augmentation evaluation(Shape data, Shape model, Transform.Normalize normalize) {
        List<Transform> list = new ArrayList<>(Augmentation.fit(data, model));
        if (normalize != null) {
            list.add(normalize);
        }
        return new Augmentation(data, list);
    }

    private static Transform.Normalize normalization(Dataset train, Shape at, List<Transform> fixed, String spec) throws UsageException {
        return switch (spec.toLowerCase(Locale.ROOT)) {
            case "none" -> null;
            case "auto" -> Augmentation.statistics(train, new Augmentation(train.sampleShape(), fixed));
            case "imagenet" -> parse(IMAGENET);
            default -> parse(spec);
        };
    }

    /** "M1,M2,M3/S1,S2,S3" (or one of each for one channel). */
    static Transform.Normalize parse(String spec) throws UsageException {
        String[] parts = spec.split("/");
        if (parts.length != 2) {
            throw new UsageException("--normalize takes auto, none, imagenet or MEANS/STDS such as 0.5/0.25, not '" + spec + "'");
        }
        try {
            return new Transform.Normalize(floats(parts[0]), floats(parts[1]));
        } catch (NumberFormatException e) {
            throw new UsageException("--normalize: '" + spec + "' holds something that is not a number");
        } catch (IllegalArgumentException e) {
            throw new UsageException("--normalize: " + e.getMessage());
        }
    }

    static String format(Transform.Normalize n) {
        return join(n.mean()) + "/" + join(n.std());
    }

    private static String join(float[] values) {
        List<String> out = new ArrayList<>();
        for (float v : values) {
            out.add(Float.toString(v));
        }
        return String.join(",", out);
    }

    private static float[] floats(String list) {
        String[] items = list.split(",");
        float[] out = new float[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = Float.parseFloat(items[i].strip());
        }
        return out;
    }

    private static int number(String[] kv, String item) throws UsageException {
        if (kv.length != 2) {
            throw new UsageException("--augment " + item + " needs a number: " + kv[0] + "=N");
        }
        try {
            return Integer.parseInt(kv[1].strip());
        } catch (NumberFormatException e) {
            throw new UsageException("--augment " + item + ": '" + kv[1] + "' is not a whole number");
        }
    }
}
