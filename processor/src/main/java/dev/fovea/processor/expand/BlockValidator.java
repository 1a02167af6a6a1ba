package dev.fovea.processor.expand;

import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.model.BlockDecl;
import dev.fovea.processor.model.ParamDecl;
import dev.fovea.processor.model.Placeholder;
import dev.fovea.runtime.text.Suggestions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks a block's declaration once, whether or not it is used: every placeholder constant in
 * {@code Layers} stands for a parameter of the same name and type, {@code @FirstOnly} parameters have a
 * default to fall back to, and there are layers.
 */
public final class BlockValidator {
    private BlockValidator() {}

    public static void validate(BlockDecl block, Problems problems) {
        String name = "@" + block.simpleName();
        Map<String, ParamDecl> params = block.params().stream().collect(Collectors.toMap(ParamDecl::name, Function.identity()));
        for (Placeholder ph : block.placeholders()) {
            ParamDecl p = params.get(ph.name());
            if (p == null) {
                String hint = Suggestions.closest(ph.name(), params.keySet()).map(s -> "; did you mean " + s + "?")
                        .orElse("; declare `" + ph.type().javaName() + " " + ph.name() + "();` in " + name);
                problems.error("UnknownParameter", name + ": Layers declares " + ph.name() + ", which is not a parameter of "
                        + name + hint, ph.ref());
            } else if (p.type() != ph.type()) {
                problems.error("UnknownParameter", name + ": " + ph.name() + " is a " + p.type().javaName()
                        + " parameter but its constant in Layers is a " + ph.type().javaName(), ph.ref());
            }
        }
        List<String> placeholders = block.placeholders().stream().map(Placeholder::name).toList();
        for (ParamDecl p : block.params()) {
            if (!placeholders.contains(p.name())) {
                problems.warning("UnusedParameter", name + ": parameter " + p.name() + " has no constant in Layers, so no layer"
                        + " can use it; add `" + p.type().javaName() + " " + p.name() + " = ...;` to Layers", List.of(p.ref()));
            }
            if (p.firstOnly() && p.defaultValue() == null) {
                problems.error("BlockArguments", name + ": @FirstOnly parameter " + p.name()
                        + " needs a default for the repetitions after the first", p.ref());
            }
        }
        if (block.members().isEmpty()) {
            problems.error("NoLayers", name + " has no layers: declare them in its nested interface Layers", block.ref());
        }
    }
}
