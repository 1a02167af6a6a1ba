package dev.fovea.onnx.importer;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The imported network as it will be written: its members in order, some of them uses of blocks found in the graph. */
record Layout(List<Part> parts, List<BlockType> blocks) {

    /** A member with the name it has in its network or block. */
    record Named(String name, Member member) {}

    /** One member of the network: a chain of layers, or a block used once or repeated. */
    sealed interface Part {}

    record Single(Named member) implements Part {}

    /**
     * A use of {@code type}: one instance, or several in a row with the same arguments written with
     * {@code @Repeat}, whose weights are then named by {@code label} ({@code %d} or {@code denselayer%d}) from {@code firstIndex}.
     */
    record Use(String name, BlockType type, List<Instance> instances, Map<String, Value> args, boolean repeat, String label,
            int firstIndex) implements Part {
        /** The weights' path of instance {@code i}. */
        String path(int i) {
            return repeat ? name + "." + String.format(java.util.Locale.ROOT, label, firstIndex + i) : name;
        }
    }

    /** One occurrence of a block in the graph: its members (in the block's order) and the tensor it reads. */
    record Instance(String input, List<Member> members) {}

    /** A position in a block's layers: member, layer of the member, element of the layer. */
    record Slot(int member, int step, int attr) {}

    record Param(String name, boolean real, Value placeholder) {}

    /**
     * A block: its parameters, its members (named, as in its first instance) and for each element that
     * varies between instances, the parameter that stands for it. {@code written} holds the constant
     * elements that differ from the DSL's default somewhere, so they must be written.
     */
    record BlockType(String name, List<Param> params, Instance template, List<String> memberNames, Map<Slot, String> paramOf,
            Set<Slot> written) {}
}
