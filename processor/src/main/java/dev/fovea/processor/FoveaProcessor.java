package dev.fovea.processor;

import com.google.auto.service.AutoService;
import com.sun.source.util.Trees;
import dev.fovea.processor.codegen.ModelGenerator;
import dev.fovea.processor.derive.Derivation;
import dev.fovea.processor.diag.Problem;
import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.expand.BlockValidator;
import dev.fovea.processor.expand.Dsl;
import dev.fovea.processor.model.BlockDecl;
import dev.fovea.processor.model.NetworkDecl;
import dev.fovea.processor.model.SourceRef;
import dev.fovea.processor.parse.BlockTemplate;
import dev.fovea.processor.parse.SiteTable;
import dev.fovea.processor.parse.SourceParser;
import dev.fovea.processor.report.ModelInfos;
import dev.fovea.processor.report.NetworkReport;
import dev.fovea.processor.report.ReportJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Fovea inside javac: for every {@code @Network}, checks shapes and costs, reports every problem on the
 * narrowest element, and writes {@code <Name>Model} and {@code META-INF/fovea/<name>.json}; at the end,
 * {@code META-INF/fovea/index.txt} lists the networks compiled. Option {@code -Afovea.summary=true}
 * prints each network's table as a note.
 */
@AutoService(Processor.class)
public final class FoveaProcessor extends AbstractProcessor {
    public static final String SUMMARY_OPTION = "fovea.summary";

    public static final String INDEX = "META-INF/fovea/index.txt";

    private final Set<String> validatedBlocks = new HashSet<>();
    private final Set<String> compiledNetworks = new java.util.TreeSet<>();

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        return Set.of(Dsl.NETWORK, Dsl.DERIVE, Dsl.BLOCK);
    }

    @Override
    public Set<String> getSupportedOptions() {
        return Set.of(SUMMARY_OPTION);
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        Trees trees = trees();
        for (Element e : round.getElementsAnnotatedWith(processingEnv.getElementUtils().getTypeElement(Dsl.BLOCK))) {
            if (e.getKind() == ElementKind.ANNOTATION_TYPE) {
                guarded(e, trees, (parser, problems) -> writeTemplate(parser.block((TypeElement) e), e));
            }
        }
        TypeElement network = processingEnv.getElementUtils().getTypeElement(Dsl.NETWORK);
        TypeElement derive = processingEnv.getElementUtils().getTypeElement(Dsl.DERIVE);
        if (network != null) {
            for (Element e : round.getElementsAnnotatedWith(network)) {
                if (derive != null && e.getAnnotationMirrors().stream().anyMatch(m -> m.getAnnotationType().asElement().equals(derive))) {
                    continue; // @Derive's check reports the double declaration
                }
                guarded(e, trees, (parser, problems) -> network((TypeElement) e, parser.network((TypeElement) e), parser, problems));
            }
        }
        if (derive != null) {
            for (Element e : round.getElementsAnnotatedWith(derive)) {
                guarded(e, trees, (parser, problems) -> {
                    Optional<NetworkDecl> decl = parser.derivation((TypeElement) e).flatMap(d -> Derivation.apply(d, problems));
                    if (decl.isPresent()) {
                        network((TypeElement) e, decl.get(), parser, problems);
                    }
                });
            }
        }
        if (round.processingOver() && !compiledNetworks.isEmpty()) {
            writeIndex();
        }
        return false;
    }

    /** One qualified name a line, so that tools can find every network of a jar without scanning it. */
    private void writeIndex() {
        try {
            FileObject file = processingEnv.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "", INDEX);
            try (Writer w = new java.io.OutputStreamWriter(file.openOutputStream(), StandardCharsets.UTF_8)) {
                for (String name : compiledNetworks) {
                    w.write(name + "\n");
                }
            }
        } catch (IOException e) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "[Fovea/Internal] cannot write " + INDEX + ": " + e.getMessage());
        }
    }

    private interface Step {
        void run(SourceParser parser, Problems problems) throws IOException;
    }

    /** Runs one element's work; whatever goes wrong becomes a diagnostic on it, never an exception in javac. */
    private void guarded(Element element, Trees trees, Step step) {
        SiteTable sites = new SiteTable();
        Problems problems = new Problems();
        SourceParser parser = new SourceParser(processingEnv.getElementUtils(), trees, sites, problems, this::readTemplate);
        try {
            step.run(parser, problems);
            for (BlockDecl block : parser.blocks().values()) {
                if (validatedBlocks.add(block.qualifiedName())) {
                    BlockValidator.validate(block, problems);
                }
            }
        } catch (IOException | RuntimeException | LinkageError | StackOverflowError t) {
            StringWriter trace = new StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            problems.error("Internal", "Fovea failed on " + element.getSimpleName() + "; please report this with the trace:\n" + trace,
                    SourceRef.NONE);
        }
        report(problems, sites, element);
    }

    private void network(TypeElement type, NetworkDecl decl, SourceParser parser, Problems problems) throws IOException {
        Optional<NetworkReport> report = Pipeline.check(decl, parser.blocks(), problems);
        if (report.isEmpty()) {
            return;
        }
        writeReport(report.get(), type);
        compiledNetworks.add(report.get().name());
        String generated = (decl.packageName().isEmpty() ? "" : decl.packageName() + ".") + ModelGenerator.className(report.get());
        try (Writer w = processingEnv.getFiler().createSourceFile(generated, type).openWriter()) {
            ModelGenerator.generate(decl.packageName(), report.get()).writeTo(w);
        }
        if (Boolean.parseBoolean(processingEnv.getOptions().getOrDefault(SUMMARY_OPTION, "false"))) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.NOTE, "\n" + ModelInfos.of(report.get()).summary(), type);
        }
    }

    /** Stores a block compiled from source beside its class, so that networks in other projects can use it from the jar. */
    private void writeTemplate(BlockDecl block, Element type) throws IOException {
        if (!block.rebindable()) {
            return;
        }
        BlockTemplate.Location at = BlockTemplate.location(
                processingEnv.getElementUtils().getPackageOf(type).getQualifiedName().toString(), block.qualifiedName());
        FileObject file = processingEnv.getFiler().createResource(StandardLocation.CLASS_OUTPUT, at.packageName(), at.fileName(), type);
        try (Writer w = new java.io.OutputStreamWriter(file.openOutputStream(), StandardCharsets.UTF_8)) {
            w.write(BlockTemplate.write(block));
        }
    }

    /** A block template on the compilation's class path (in a jar, or another project's classes), if there is one. */
    private Optional<String> readTemplate(BlockTemplate.Location at) {
        try {
            return Optional.of(processingEnv.getFiler().getResource(StandardLocation.CLASS_PATH, at.packageName(), at.fileName())
                    .getCharContent(true).toString());
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void writeReport(NetworkReport report, TypeElement type) throws IOException {
        FileObject file = processingEnv.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "",
                "META-INF/fovea/" + report.name() + ".json", type);
        try (Writer w = new java.io.OutputStreamWriter(file.openOutputStream(), StandardCharsets.UTF_8)) {
            w.write(ReportJson.of(report));
        }
    }

    private void report(Problems problems, SiteTable sites, Element fallback) {
        for (Problem p : problems.all()) {
            Diagnostic.Kind kind = switch (p.severity()) {
                case ERROR -> Diagnostic.Kind.ERROR;
                case WARNING -> Diagnostic.Kind.WARNING;
                case NOTE -> Diagnostic.Kind.NOTE;
            };
            if (kind == Diagnostic.Kind.WARNING && p.refs().stream().anyMatch(r -> sites.suppresses(r, p.tag()))) {
                continue;
            }
            boolean printed = false;
            for (SourceRef ref : p.refs()) {
                printed |= sites.print(processingEnv.getMessager(), kind, p.render(), ref);
            }
            if (!printed) {
                processingEnv.getMessager().printMessage(kind, p.render(), fallback);
            }
        }
    }

    /** javac's tree API, or null under another compiler (then blocks cannot rebind their parameters). */
    private Trees trees() {
        try {
            return Trees.instance(processingEnv);
        } catch (IllegalArgumentException notJavac) {
            return null;
        }
    }
}
