package dev.fovea.zoo.cli;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.data.DataSources;
import dev.fovea.runtime.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Which data, which classes and how much of it: the flags {@code fovea train} and {@code fovea eval} share. */
final class DataOptions {
    @Option(names = "--data", paramLabel = "SPEC", description = "fashion-mnist (default), mnist:DIR, idx:DIR, cifar10:DIR, cifar100:DIR, "
            + "folder:DIR or safetensors:TRAIN[,TEST]")
    String spec = "fashion-mnist";

    @Option(names = "--classes", paramLabel = "LIST", description = "only these classes, relabelled from 0 in this order: 5-9 or 0,2,4")
    String classes;

    @Option(names = "--train-limit", paramLabel = "N", description = "the first N training samples (after --classes)")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", description = "the first N test samples (after --classes)")
    Integer testLimit;

    /** The training and test splits, with the class subset and limits applied. */
    DataSources.Splits open(Shape input) throws UsageException {
        DataSources.Splits s;
        try {
            s = DataSources.open(spec, input);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Dataset train = select(s.train(), trainLimit);
        Dataset test = s.test() == null ? null : select(s.test(), testLimit);
        return new DataSources.Splits(train, test);
    }

    private Dataset select(Dataset data, Integer limit) throws UsageException {
        try {
            Dataset d = classes == null ? data : data.classSubset(parseClasses(classes));
            return limit == null ? d : d.limit(limit);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static int[] parseClasses(String text) throws UsageException {
        List<Integer> out = new ArrayList<>();
        try {
            for (String part : text.split(",")) {
                String p = part.strip();
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    int from = Integer.parseInt(p.substring(0, dash));
                    int to = Integer.parseInt(p.substring(dash + 1));
                    if (to < from) {
                        throw new UsageException("--classes " + text + ": the range " + p + " runs backwards");
                    }
                    for (int c = from; c <= to; c++) {
                        out.add(c);
                    }
                } else {
                    out.add(Integer.parseInt(p));
                }
            }
        } catch (NumberFormatException e) {
            throw new UsageException("--classes takes class numbers and ranges such as 5-9 or 0,2,4, not '" + text + "'");
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
