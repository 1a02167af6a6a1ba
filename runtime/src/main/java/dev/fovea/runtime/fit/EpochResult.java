package dev.fovea.runtime.fit;

import com.google.gson.JsonObject;

/**
 * One epoch's figures: the training loss and top-1 averaged over its steps (training mode, as the
 * weights changed), the test split's in eval mode when there is one (NaN otherwise), the learning rate
 * at its end, and its wall time with the part spent waiting for data.
 */
public record EpochResult(int epoch, double trainLoss, double trainTop1, double testLoss, double testTop1, double testTop5,
        double learningRate, double seconds, double imagesPerSecond, double dataWaitSeconds) implements java.io.Serializable {

    public boolean hasTest() {
        return !Double.isNaN(testLoss);
    }

    /** The JSON line of {@code fovea train --json}; epochs count from 1 there, as people say them. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("epoch", epoch + 1);
        o.addProperty("train_loss", round(trainLoss, 6));
        o.addProperty("train_top1", round(trainTop1, 6));
        if (hasTest()) {
            o.addProperty("test_loss", round(testLoss, 6));
            o.addProperty("test_top1", round(testTop1, 6));
            o.addProperty("test_top5", round(testTop5, 6));
        }
        o.addProperty("lr", learningRate);
        o.addProperty("seconds", round(seconds, 3));
        o.addProperty("images_per_s", round(imagesPerSecond, 1));
        o.addProperty("data_wait_s", round(dataWaitSeconds, 3));
        return o;
    }

    public static EpochResult fromJson(JsonObject o) {
        boolean test = o.has("test_loss");
        return new EpochResult(o.get("epoch").getAsInt() - 1, o.get("train_loss").getAsDouble(), o.get("train_top1").getAsDouble(),
                test ? o.get("test_loss").getAsDouble() : Double.NaN, test ? o.get("test_top1").getAsDouble() : Double.NaN,
                test ? o.get("test_top5").getAsDouble() : Double.NaN, o.get("lr").getAsDouble(), o.get("seconds").getAsDouble(),
                o.get("images_per_s").getAsDouble(), o.get("data_wait_s").getAsDouble());
    }

    private static double round(double v, int digits) {
        if (!Double.isFinite(v)) {
            return v;
        }
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }
}
