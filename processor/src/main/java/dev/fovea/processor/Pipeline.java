package dev.fovea.processor;

import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.expand.Expander;
import dev.fovea.processor.infer.Inferred;
import dev.fovea.processor.infer.ShapeInference;
import dev.fovea.processor.model.BlockDecl;
import dev.fovea.processor.model.NetworkDecl;
import dev.fovea.processor.report.ExpectCheck;
import dev.fovea.processor.report.NetworkReport;
import dev.fovea.processor.report.ReportBuilder;
import java.util.Map;
import java.util.Optional;

/**
 * Checks one network from its declaration to its report: expand blocks, infer shapes, count costs, hold
 * it to {@code @Expect}. Plain Java, no javac: the processor parses before and generates after.
 */
public final class Pipeline {
    private Pipeline() {}

    /** The report, or empty when the network has errors (all of them are in {@code problems}). */
    public static Optional<NetworkReport> check(NetworkDecl network, Map<String, BlockDecl> blocks, Problems problems) {
        int errorsBefore = problems.errorCount();
        Optional<Inferred> inferred = Expander.expand(network, blocks, problems)
                .flatMap(result -> ShapeInference.run(result.graph(), result.invalid(), problems));
        if (inferred.isEmpty()) {
            return Optional.empty();
        }
        Optional<NetworkReport> report = ReportBuilder.build(inferred.get(), network.lineage(), problems);
        report.ifPresent(r -> network.expect().ifPresent(expect -> ExpectCheck.check(r, expect, problems)));
        return problems.errorCount() > errorsBefore ? Optional.empty() : report;
    }
}
