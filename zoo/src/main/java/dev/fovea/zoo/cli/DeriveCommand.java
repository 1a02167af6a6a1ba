package dev.fovea.zoo.cli;

import dev.fovea.runtime.LayerInfo;
import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.io.AtomicFiles;
import dev.fovea.runtime.text.Suggestions;
import dev.fovea.zoo.Zoo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.lang.model.SourceVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fovea derive", description = {"Writes a network derived from MODEL (@Derive) as Java source for your project: a new "
        + "head for another number of classes, the base's layers kept up to a member, frozen up to a member or by name. Compile it with "
        + "Fovea's processor, which checks it like any network, then fine-tune it with 'fovea train --base-weights'."})
final class DeriveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Option(names = "--package", paramLabel = "P", required = true, description = "the Java package of the written source")
    String pkg;

    @Option(names = "--name", paramLabel = "N", required = true, description = "the derived network's Java name")
    String name;

    @Option(names = "--output-dir", paramLabel = "DIR", required = true, description = "the source root to write into (DIR/P/N.java)")
    Path outputDir;

    @Option(names = "--classes", paramLabel = "K", description = "a new K-way dense head in place of the base's output layer")
    Integer classes;

    @Option(names = "--keep-up-to", paramLabel = "MEMBER", description = "keep the base's members up to this one; with --classes the head follows it")
    String keepUpTo;

    @Option(names = "--freeze-up-to", paramLabel = "MEMBER", description = "freeze every inherited member up to this one")
    String freezeUpTo;

    @Option(names = "--freeze", paramLabel = "MEMBER", split = ",", description = "freeze these inherited members")
    List<String> freeze = List.of();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;

    DeriveCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws UsageException, IOException {
        Zoo zoo = cli.zoo();
        String base = Main.resolve(zoo, model);
        ModelInfo info = zoo.info(base);
        String baseName = Zoo.simpleName(base);
        if (!SourceVersion.isName(pkg) || !SourceVersion.isIdentifier(name) || SourceVersion.isKeyword(name) || name.equals(baseName)) {
            throw new UsageException("--package and --name take a Java package and a class name other than the base's, not " + pkg + " and "
                    + name);
        }
        List<String> members = members(info);
        check("--keep-up-to", keepUpTo, members, baseName);
        check("--freeze-up-to", freezeUpTo, members, baseName);
        for (String f : freeze) {
            check("--freeze", f, members, baseName);
        }
        if (classes != null && classes < 1) {
            throw new UsageException("--classes takes a number of classes of 1 or more, not " + classes);
        }
        String head = classes == null ? "" : head(info, members, baseName);
        Path file = outputDir.resolve(pkg.replace('.', '/')).resolve(name + ".java");
        Files.createDirectories(file.getParent());
        AtomicFiles.writeString(file, source(base, baseName, head));
        cli.out.println("wrote " + file);
        cli.out.printf(Locale.ROOT, "compile it with Fovea's processor, then: fovea --classpath CLASSES train %s --base-weights %s.safetensors%n",
                name.toLowerCase(Locale.ROOT), baseName.toLowerCase(Locale.ROOT));
        return 0;
    }

    /** The base's top-level members, in order, from its layers' names ({@code layer1.0.conv1} is member layer1's). */
    private static List<String> members(ModelInfo info) {
        List<String> members = new ArrayList<>();
        for (LayerInfo l : info.layers()) {
            String member = l.name().split("[./]", 2)[0];
            if (!members.contains(member)) {
                members.add(member);
            }
        }
        return members;
    }

    private static void check(String flag, String member, List<String> members, String base) throws UsageException {
        if (member != null && !members.contains(member)) {
            throw new UsageException(flag + ": " + base + " has no member " + member
                    + Suggestions.closest(member, members).map(s -> "; did you mean " + s + "?").orElse(""));
        }
    }

    /** The new head's member: in place of the base's output layer, or after --keep-up-to's member, whose output must be flat. */
    private String head(ModelInfo info, List<String> members, String base) throws UsageException {
        if (keepUpTo != null && !keepUpTo.equals(members.getLast())) {
            LayerInfo kept = info.layers().stream().filter(l -> l.name().split("[./]", 2)[0].equals(keepUpTo)).reduce((a, b) -> b).orElseThrow();
            if (kept.output().rank() != 1) {
                throw new UsageException("--classes after --keep-up-to " + keepUpTo + ": its output is " + kept.output() + "; keep up to a"
                        + " flat layer (a flatten) to put a dense head on it");
            }
            return "head";
        }
        LayerInfo last = info.layers().getLast();
        if (!last.type().equals("Dense") || !last.name().equals(members.getLast())) {
            throw new UsageException("--classes: " + base + "'s output layer " + last.name() + " is a " + last.type() + ", not a dense"
                    + " layer of its own; write the @Derive by hand (docs/dsl.md, \"Derived networks\")");
        }
        return last.name();
    }

    private String source(String base, String baseName, String head) {
        List<String> args = new ArrayList<>();
        args.add("base = " + baseName + ".class");
        if (keepUpTo != null) {
            args.add("keepUpTo = \"" + keepUpTo + "\"");
        }
        if (freezeUpTo != null) {
            args.add("freezeUpTo = \"" + freezeUpTo + "\"");
        }
        if (!freeze.isEmpty()) {
            args.add("freeze = {" + String.join(", ", freeze.stream().map(f -> "\"" + f + "\"").toList()) + "}");
        }
        StringBuilder sb = new StringBuilder();
        sb.append("package ").append(pkg).append(";\n\n");
        sb.append("import ").append(base).append(";\n");
        sb.append("import dev.fovea.annotations.Derive;\n");
        if (!head.isEmpty()) {
            sb.append("import dev.fovea.annotations.Dense;\n");
            sb.append("import dev.fovea.annotations.Layer;\n");
        }
        sb.append("\n/** ").append(baseName).append(head.isEmpty() ? "" : " with a " + classes + "-way head").append(", written by fovea derive. */\n");
        sb.append("@Derive(").append(String.join(", ", args)).append(")\n");
        sb.append("public interface ").append(name).append(" {\n");
        if (!head.isEmpty()) {
            sb.append("    @Dense(units = ").append(classes).append(") Layer ").append(head).append("();\n");
        }
        sb.append("}\n");
        return sb.toString();
    }
}
