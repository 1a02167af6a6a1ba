package dev.fovea.zoo.cli;

import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.zoo.Zoo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Supplier;

/** What every command works with: where it prints and the networks it knows, loaded when first asked for. */
final class Cli {
    final PrintStream out;
    private final Supplier<Zoo> zoo;

    Cli(PrintStream out, Supplier<Zoo> zoo) {
        this.out = out;
        this.zoo = zoo;
    }

    Zoo zoo() {
        return zoo.get();
    }

    /** The qualified name of a network typed in any case, or a usage error naming the closest. */
    String resolve(String typed) throws UsageException {
        return Main.resolve(zoo(), typed);
    }

    /** The model's input, one sample's C x H x W; an error for a model that does not take images. */
    dev.fovea.runtime.Shape imageInput(String name) throws UsageException {
        dev.fovea.runtime.Shape input = zoo().info(name).input();
        if (input.rank() != 3) {
            throw new UsageException(dev.fovea.zoo.Zoo.simpleName(name) + " does not take images (its input is " + input + ")");
        }
        return input;
    }

    /**
     * The weights of a file as the model's parameters, checked against the model now and each tensor read
     * when first used: a session planned from them holds each weight once, packed.
     */
    Parameters loadWeights(String name, Path weights) {
        return Parameters.readWhenAsked(zoo().tensors(name), SafeTensors.deferred(weights));
    }

    static int range(String flag, int value, int min, int max) throws UsageException {
        if (value < min || value > max) {
            throw new UsageException(flag + " must be between " + min + " and " + max + ", not " + value);
        }
        return value;
    }

    static int processors() {
        return Runtime.getRuntime().availableProcessors();
    }
}
