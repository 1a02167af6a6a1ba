package dev.fovea.onnx.importer;

import dev.fovea.onnx.importer.Layout.BlockType;
import dev.fovea.onnx.importer.Layout.Part;
import dev.fovea.onnx.importer.Layout.Use;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.SourceVersion;

/**
 * Brings an ONNX model in as an annotated Fovea network: Java source (the network interface, and a block
 * for each structure the graph repeats) and its weights under the names that source gives them.
 * Compiling the source gives the processor's checks and figures, like any network; {@code @Expect}
 * holds it to the file's parameter count and output size.
 *
 * <pre>
 *   ImportedNetwork net = OnnxImport.read(Path.of("resnet18.onnx"), "demo", "ResNet18", null);
 *   net.write(Path.of("src/main/java"), Path.of("resnet18.safetensors"));
 * </pre>
 */
public final class OnnxImport {
    private OnnxImport() {}

    /** What an import produced: sources by file name relative to a source root, and the weights. */
    public record ImportedNetwork(String qualifiedName, Map<String, String> sources, Map<String, LoadedTensor> weights, long parameters,
            int operators, int members, List<String> blocks) {

        /** Writes the sources under {@code sourceRoot} (in their package's folders) and the weights to {@code weightsFile}, each file whole or not at all. */
        public List<Path> write(Path sourceRoot, Path weightsFile) {
            List<Path> written = new ArrayList<>();
            try {
                for (Map.Entry<String, String> e : sources.entrySet()) {
                    Path file = sourceRoot.resolve(e.getKey());
                    Files.createDirectories(file.getParent());
                    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                    Files.writeString(tmp, e.getValue());
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    written.add(file);
                }
                Path parent = weightsFile.toAbsolutePath().getParent();
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw new ImportException("cannot write " + e.getMessage());
            }
            SafeTensors.write(weightsFile, weights, Map.of("fovea.network", qualifiedName));
            written.add(weightsFile);
            return written;
        }
    }

    /**
     * Reads {@code onnx} and writes it as network {@code name} in package {@code pkg}. {@code sample} is one
     * sample's input shape, needed only when the file leaves it open (null otherwise).
     *
     * @throws ImportException naming the file and every operator or setting the DSL cannot express
     */
    public static ImportedNetwork read(Path onnx, String pkg, String name, int[] sample) {
        if (!pkg.isEmpty() && !SourceVersion.isName(pkg)) {
            throw new ImportException("--package " + pkg + " is not a Java package name");
        }
        if (!SourceVersion.isIdentifier(name) || SourceVersion.isKeyword(name)) {
            throw new ImportException("--name " + name + " is not a Java class name");
        }
        OnnxModel model = OnnxModel.read(onnx, sample);
        OperatorTranslator.Translation translation = OperatorTranslator.translate(model);
        if (translation.steps().isEmpty()) {
            throw new ImportException(model.file() + ": cannot import: the output is the input; the graph computes nothing");
        }
        List<Member> members = MemberBuilder.members(translation.steps(), translation.output());
        if (!members.getLast().output().equals(translation.output())) {
            throw new ImportException(model.file() + ": cannot import: the output is not computed last");
        }
        Layout layout = BlockFinder.layout(members, model.input(), translation.output(), name);
        Map<String, LoadedTensor> weights = WeightNames.of(layout);
        long parameters = WeightNames.parameterCount(weights);
        String header = "Imported from " + model.file() + (model.producer().isEmpty() ? "" : " (" + model.producer() + ", opset "
                + model.opset() + ")") + " by fovea import";
        SourceWriter writer = new SourceWriter(pkg, header);
        String folder = pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/";
        Map<String, String> sources = new LinkedHashMap<>();
        int operators = model.nodes().size();
        sources.put(folder + name + ".java", writer.network(name, layout, model.input(), model.sample(), parameters,
                translation.shapes().get(translation.output()), operators));
        for (BlockType block : layout.blocks()) {
            List<String> users = layout.parts().stream().filter(p -> p instanceof Use u && u.type() == block).map(p -> ((Use) p).name())
                    .toList();
            String usedBy = users.size() == 1 ? users.getFirst()
                    : String.join(", ", users.subList(0, users.size() - 1)) + " and " + users.getLast();
            sources.put(folder + block.name() + ".java", writer.block(block, usedBy));
        }
        List<String> blocks = layout.blocks().stream().map(BlockType::name).toList();
        return new ImportedNetwork(pkg.isEmpty() ? name : pkg + "." + name, sources, weights, parameters, operators,
                (int) layout.parts().stream().filter(Part.class::isInstance).count(), blocks);
    }
}
