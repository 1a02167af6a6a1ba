package dev.fovea.processor.expand;

import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.graph.Frame;
import dev.fovea.processor.graph.Graph;
import dev.fovea.processor.graph.Node;
import dev.fovea.processor.graph.Op;
import dev.fovea.processor.model.AnnotationUse;
import dev.fovea.processor.model.BlockDecl;
import dev.fovea.processor.model.Expr;
import dev.fovea.processor.model.Lineage;
import dev.fovea.processor.model.MemberDecl;
import dev.fovea.processor.model.NetworkDecl;
import dev.fovea.processor.model.ParamDecl;
import dev.fovea.processor.model.SourceRef;
import dev.fovea.runtime.text.Suggestions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Expands a network declaration into its graph of layers: members in source order, each block use
 * instantiated with its arguments (once per repetition), names resolved. Problems found on the way
 * are collected; the graph is still built as far as it can be, so that later phases report theirs too.
 */
public final class Expander {
    /** Deeper nesting than this is a block that uses itself. */
    private static final int MAX_DEPTH = 24;

    private final Map<String, BlockDecl> blocks;
    private final Problems problems;
    private final List<Node> nodes = new ArrayList<>();
    private final Set<Integer> invalid = new HashSet<>();
    private final Map<String, Integer> taps = new LinkedHashMap<>();
    /** A derived network's lineage: its inherited members are expanded as if used at the {@code @Derive}. */
    private Optional<Lineage> lineage = Optional.empty();

    private Expander(Map<String, BlockDecl> blocks, Problems problems) {
        this.blocks = blocks;
        this.problems = problems;
    }

    /** The expanded network: its graph, and the nodes that could not be built and so have no shape. */
    public record Result(Graph graph, Set<Integer> invalid) {}

    public static Optional<Result> expand(NetworkDecl network, Map<String, BlockDecl> blocks, Problems problems) {
        return new Expander(blocks, problems).run(network);
    }

    /** Where layers are being expanded: the network itself, or one block instance. */
    /** @param second the block's second input, or -1 when it has one */
    /** @param secondRead set when a layer of this scope reads {@link dev.fovea.annotations.Layer#SECOND_INPUT} */
    private record Scope(String paramPrefix, String displayPrefix, int input, int second, List<Frame> frames,
            ExprEvaluator evaluator, int depth, boolean frozen, boolean[] secondRead) {
        String label(String layer) {
            return frames.isEmpty() ? layer : layer + " (in " + frames.getLast().label() + ")";
        }

        Scope freeze() {
            return new Scope(paramPrefix, displayPrefix, input, second, frames, evaluator, depth, true, secondRead);
        }

        /** The scope of an inherited member: its diagnostics name the base and are printed at the {@code @Derive} too. */
        Scope inherited(Lineage lineage) {
            List<Frame> withBase = new ArrayList<>(frames);
            withBase.add(new Frame(lineage.base().substring(lineage.base().lastIndexOf('.') + 1), lineage.derive()));
            return new Scope(paramPrefix, displayPrefix, input, second, withBase, evaluator, depth, frozen, secondRead);
        }

        List<SourceRef> useSites() {
            List<SourceRef> sites = new ArrayList<>();
            for (Frame f : frames.reversed()) {
                sites.add(f.useSite());
            }
            return sites;
        }
    }

    private Optional<Result> run(NetworkDecl network) {
        lineage = network.lineage();
        Optional<List<Integer>> input = inputShape(network.network());
        if (input.isEmpty()) {
            return Optional.empty();
        }
        if (network.members().isEmpty()) {
            problems.error("NoLayers", network.simpleName() + " has no layers: declare members of type Layer with layer annotations",
                    network.ref());
            return Optional.empty();
        }
        int errorsBefore = problems.errorCount();
        nodes.add(new Node(0, "input", new Op.Input(input.get()), List.of(), "", network.network(), List.of(), false));
        Scope scope = new Scope("", "", 0, -1, List.of(), new ExprEvaluator(Map.of()), 0, false, new boolean[1]);
        int output = members(network.members(), scope);
        if (output == 0) { // no layer reached: every member was dropped for its errors, or there was none
            if (problems.errorCount() == errorsBefore) {
                problems.error("NoLayers", network.simpleName() + " computes nothing: its output is its input", network.ref());
            }
            return Optional.empty();
        }
        return Optional.of(new Result(new Graph(network.qualifiedName(), nodes, output, taps), Set.copyOf(invalid)));
    }

    private Optional<List<Integer>> inputShape(AnnotationUse network) {
        Object value = new Args(network, new ExprEvaluator(Map.of()), problems, "@Network", List.of()).value("input");
        List<Integer> dims = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                dims.add(o instanceof Number n ? n.intValue() : 0);
            }
        }
        boolean positive = dims.stream().allMatch(d -> d > 0);
        if ((dims.size() != 1 && dims.size() != 3) || !positive) {
            problems.error("BadArgument", "@Network input must be channels, height, width (or features), all positive, but is "
                    + dims, network.refOf("input"));
            return Optional.empty();
        }
        return Optional.of(dims);
    }

    /** The parts of one member: where it reads from, how often it repeats, and what it computes. */
    private record Parts(AnnotationUse from, AnnotationUse repeat, AnnotationUse name, AnnotationUse tap,
            boolean frozen, AnnotationUse block, List<AnnotationUse> ops) {}

    private int members(List<MemberDecl> members, Scope scope) {
        Map<String, Integer> names = new HashMap<>();
        names.put(dev.fovea.annotations.Layer.INPUT, scope.input());
        if (scope.second() >= 0) {
            names.put(dev.fovea.annotations.Layer.SECOND_INPUT, scope.second());
        }
        int current = scope.input();
        for (int index = 0; index < members.size(); index++) {
            MemberDecl member = members.get(index);
            Optional<Parts> parts = parts(member, scope);
            if (parts.isEmpty()) {
                continue;
            }
            Parts p = parts.get();
            int start = current;
            int second = -1;
            if (p.from() != null) {
                List<String> refs = new Args(p.from(), scope.evaluator(), problems, "@From", scope.useSites()).strings("value");
                if (refs.size() == 2 && p.block() == null || refs.isEmpty() || refs.size() > 2) {
                    problems.error("BadArgument", scope.label(member.name()) + ": @From names " + (refs.size() > 2 ? "at most two layers"
                            : refs.isEmpty() ? "no layer" : "two layers only for a block, whose second input they are") + ", but names "
                            + refs.size(), p.from().refOf("value"));
                    refs = refs.isEmpty() ? refs : refs.subList(0, 1);
                }
                if (!refs.isEmpty()) {
                    start = resolve(refs.getFirst(), names, members, index, p.from().refOf("value"), scope);
                    start = start < 0 ? current : start;
                }
                if (refs.size() == 2) {
                    second = resolve(refs.get(1), names, members, index, p.from().refOf("value"), scope);
                }
            }
            int count = 1;
            String label = "%d";
            int firstIndex = 0;
            if (p.repeat() != null) {
                Args args = new Args(p.repeat(), scope.evaluator(), problems, scope.label(member.name()), scope.useSites());
                count = args.positive("value");
                label = args.string("label");
                firstIndex = args.integer("firstIndex");
                if (!validLabel(label)) {
                    args.bad("label", "label must hold one %d (the repetition's index), like \"denselayer%d\", but is \"" + label + "\"");
                    label = "%d";
                }
            }
            String paramPath = p.name() == null ? member.name() : evaluateString(p.name(), "value", scope);
            Scope memberScope = p.frozen() && !scope.frozen() ? scope.freeze() : scope;
            if (scope.depth() == 0 && lineage.isPresent()
                    && lineage.get().originOf(member.name()) == Lineage.Origin.INHERITED) {
                memberScope = memberScope.inherited(lineage.get());
            }
            for (int i = 0; i < count; i++) {
                String repetition = p.repeat() == null ? "" : String.format(Locale.ROOT, label, firstIndex + i);
                String display = join(scope.displayPrefix(), join(member.name(), repetition));
                String param = join(scope.paramPrefix(), join(paramPath, repetition));
                if (p.block() != null) {
                    // a repeated two-input block reads the one before it and the input of that one (NASNet's cells)
                    int first = start;
                    start = block(p.block(), i, start, second, display, param, memberScope, p.from());
                    second = second >= 0 ? first : -1;
                } else {
                    start = chain(p.ops(), start, display, param, memberScope, names, members, index);
                }
            }
            names.put(member.name(), start);
            current = start;
            if (p.tap() != null) {
                tap(p.tap(), member, start, scope);
            }
        }
        return current;
    }

    private static boolean validLabel(String label) {
        return label.contains("%d") && label.indexOf('%') == label.lastIndexOf('%');
    }

    private Optional<Parts> parts(MemberDecl member, Scope scope) {
        AnnotationUse from = null;
        AnnotationUse repeat = null;
        AnnotationUse name = null;
        AnnotationUse tap = null;
        boolean frozen = false;
        AnnotationUse block = null;
        List<AnnotationUse> ops = new ArrayList<>();
        for (AnnotationUse use : member.annotations()) {
            switch (use.type()) {
                case Dsl.FROM -> from = use;
                case Dsl.REPEAT -> repeat = use;
                case Dsl.NAME -> name = use;
                case Dsl.TAP -> tap = use;
                case Dsl.FROZEN -> frozen = true;
                default -> {
                    if (blocks.containsKey(use.type())) {
                        if (block != null || !ops.isEmpty()) {
                            problems.error("MixedMember", scope.label(member.name()) + ": a member is either one block or a chain of layers;"
                                    + " put @" + use.simpleName() + " on a member of its own", use.ref());
                            return Optional.empty();
                        }
                        block = use;
                    } else if (block != null) {
                        problems.error("MixedMember", scope.label(member.name()) + ": a member is either one block or a chain of layers;"
                                + " put @" + use.simpleName() + " on a member of its own", use.ref());
                        return Optional.empty();
                    } else {
                        ops.add(use);
                    }
                }
            }
        }
        if (block == null && ops.isEmpty()) {
            problems.error("NoLayer", scope.label(member.name()) + " has no layer annotation: add one such as @Conv2d or @ReLU,"
                    + " or use a block", member.ref());
            return Optional.empty();
        }
        return Optional.of(new Parts(from, repeat, name, tap, frozen, block, ops));
    }

    private int chain(List<AnnotationUse> ops, int start, String display, String param, Scope scope,
            Map<String, Integer> names, List<MemberDecl> members, int memberIndex) {
        int current = start;
        boolean first = true;
        boolean firstWithParams = true;
        for (AnnotationUse use : ops) {
            String nodeName = first ? display : display + "/" + use.simpleName().toLowerCase(Locale.ROOT);
            Args args = new Args(use, scope.evaluator(), problems, scope.label(nodeName), scope.useSites());
            Optional<Op> created = OpFactory.create(args);
            if (created.isEmpty()) {
                problems.error("NotALayer", scope.label(nodeName) + ": @" + use.simpleName() + " is not a layer annotation", use.ref());
                continue;
            }
            Op op = created.get();
            boolean broken = args.failed();
            List<Integer> inputs = new ArrayList<>();
            switch (op) {
                case Op.Concat c -> {
                    List<String> refs = args.strings("value");
                    if (refs.size() < 2) {
                        args.bad("value", "@Concat joins two layers or more but names " + refs.size());
                        broken = true;
                    }
                    for (String ref : refs) {
                        int id = resolve(ref, names, members, memberIndex, use.refOf("value"), scope);
                        broken |= id < 0;
                        inputs.add(id < 0 ? current : id);
                    }
                }
                case Op.Add a -> broken |= addInputs(inputs, current, args, names, members, memberIndex, scope);
                case Op.Scale s -> broken |= addInputs(inputs, current, args, names, members, memberIndex, scope);
                default -> inputs.add(current);
            }
            String paramName = "";
            if (op instanceof Op.Add add) {
                paramName = join(scope.paramPrefix(), add.projectionName());
            } else if (use.args().containsKey("name")) {
                String explicit = args.string("name");
                paramName = !explicit.isEmpty() ? join(scope.paramPrefix(), explicit)
                        : firstWithParams ? param
                        : param + "." + use.simpleName().toLowerCase(Locale.ROOT);
                firstWithParams = false;
            }
            int id = nodes.size();
            nodes.add(new Node(id, nodeName, op, inputs, paramName, use, scope.frames(), scope.frozen()));
            if (broken) {
                invalid.add(id);
            }
            current = id;
            first = false;
        }
        return current;
    }

    /** Inputs of a binary op: the flowing tensor, then the layer named by {@code from}. True if that failed. */
    private boolean addInputs(List<Integer> inputs, int current, Args args, Map<String, Integer> names,
            List<MemberDecl> members, int memberIndex, Scope scope) {
        inputs.add(current);
        int id = resolve(args.string("from"), names, members, memberIndex, args.ref("from"), scope);
        inputs.add(id < 0 ? current : id);
        return id < 0;
    }

    private int block(AnnotationUse use, int repetition, int start, int second, String display, String param, Scope scope,
            AnnotationUse from) {
        BlockDecl block = blocks.get(use.type());
        if (scope.depth() >= MAX_DEPTH) {
            problems.error("BlockCycle", scope.label(display) + ": blocks nest deeper than " + MAX_DEPTH
                    + " levels; does @" + block.simpleName() + " use itself?", use.ref());
            return start;
        }
        if (!block.rebindable() && !block.placeholders().isEmpty()) {
            problems.error("BlockWithoutSource", scope.label(display) + ": @" + block.simpleName() + " comes from a class file"
                    + " without the template Fovea stores beside it, so its layers' expressions are folded to constants; compile its"
                    + " jar with this version of Fovea, or the block together with this network", use.ref());
            return start;
        }
        Map<String, Object> bindings = new LinkedHashMap<>();
        boolean ok = true;
        for (ParamDecl p : block.params()) {
            boolean useDefault = !use.isExplicit(p.name()) || (repetition > 0 && p.firstOnly());
            Expr expr = useDefault ? p.defaultValue() : use.args().get(p.name());
            if (expr == null) {
                problems.error("BlockArguments", scope.label(display) + ": @" + block.simpleName() + " needs a value for "
                        + p.name(), use.ref());
                ok = false;
                continue;
            }
            Optional<Object> value = bind(p, expr, useDefault ? new ExprEvaluator(Map.of()) : scope.evaluator(), use, display, scope);
            ok &= value.isPresent();
            value.ifPresent(v -> bindings.put(p.name(), v));
        }
        if (!ok) {
            return start;
        }
        String label = block.simpleName() + describe(bindings);
        List<Frame> frames = new ArrayList<>(scope.frames());
        frames.add(new Frame(label, use.ref()));
        Scope inner = new Scope(param, display, start, second, frames, new ExprEvaluator(bindings), scope.depth() + 1, scope.frozen(),
                new boolean[1]);
        if (block.members().isEmpty()) {
            return start;
        }
        int out = members(block.members(), inner);
        if (second >= 0 && !inner.secondRead()[0] && repetition == 0) {
            problems.error("BadArgument", scope.label(display) + ": @From names two layers, but @" + block.simpleName() + " has one input"
                    + " (none of its layers reads Layer.SECOND_INPUT); name only the layer it reads", withUseSites(from.refOf("value"), scope));
        }
        return out;
    }

    private Optional<Object> bind(ParamDecl p, Expr expr, ExprEvaluator evaluator, AnnotationUse use, String display, Scope scope) {
        Object value;
        try {
            value = evaluator.evaluate(expr);
        } catch (ExprEvaluator.EvalException e) {
            problems.error("BlockArguments", scope.label(display) + ": cannot evaluate " + p.name() + ": " + e.getMessage(),
                    use.refOf(p.name()));
            return Optional.empty();
        }
        if (!p.type().accepts(value)) {
            problems.error("BlockArguments", scope.label(display) + ": " + p.name() + " is a " + p.type().javaName()
                    + " but gets " + ExprEvaluator.describe(value), use.refOf(p.name()));
            return Optional.empty();
        }
        return Optional.of(switch (p.type()) {
            case DOUBLE -> ((Number) value).doubleValue();
            case LONG -> ((Number) value).longValue();
            default -> value;
        });
    }

    private static String describe(Map<String, Object> bindings) {
        if (bindings.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        bindings.forEach((k, v) -> sb.append(sb.isEmpty() ? " " : ", ").append(k).append('=').append(ExprEvaluator.describe(v)));
        return sb.toString();
    }

    private void tap(AnnotationUse tap, MemberDecl member, int node, Scope scope) {
        String name = evaluateString(tap, "value", scope);
        if (name.isEmpty()) {
            name = join(scope.displayPrefix(), member.name());
        }
        if (taps.containsKey(name)) {
            problems.error("DuplicateName", scope.label(member.name()) + ": a tap named \"" + name + "\" exists already", tap.ref());
            return;
        }
        taps.put(name, node);
    }

    private String evaluateString(AnnotationUse use, String element, Scope scope) {
        return new Args(use, scope.evaluator(), problems, "@" + use.simpleName(), scope.useSites()).string(element);
    }

    /** The node named {@code name} in this scope, or -1 after reporting why there is none. */
    private int resolve(String name, Map<String, Integer> names, List<MemberDecl> members, int memberIndex,
            SourceRef ref, Scope scope) {
        Integer id = names.get(name);
        if (id != null) {
            if (name.equals(dev.fovea.annotations.Layer.SECOND_INPUT)) {
                scope.secondRead()[0] = true;
            }
            return id;
        }
        List<SourceRef> refs = withUseSites(ref, scope);
        String where = scope.label(members.get(memberIndex).name());
        boolean later = members.stream().skip(memberIndex).anyMatch(m -> m.name().equals(name));
        if (name.equals(dev.fovea.annotations.Layer.SECOND_INPUT)) {
            problems.error("UnknownLayer", where + ": reads the block's second input (Layer.SECOND_INPUT), but the block is used with one;"
                    + " give both at the use, like @From({\"previous\", \"beforeThat\"})", refs);
        } else if (later) {
            problems.error("UnknownLayer", where + ": \"" + name + "\" is declared later; a layer can only read earlier ones", refs);
        } else {
            String hint = Suggestions.closest(name, names.keySet()).map(s -> "; did you mean \"" + s + "\"?").orElse("");
            problems.error("UnknownLayer", where + ": no earlier layer is named \"" + name + "\"" + hint, refs);
        }
        return -1;
    }

    /** {@code ref}, then the block uses that lead to it, innermost first. */
    private static List<SourceRef> withUseSites(SourceRef ref, Scope scope) {
        List<SourceRef> refs = new ArrayList<>();
        refs.add(ref);
        refs.addAll(scope.useSites());
        return refs;
    }

    static String join(String prefix, String name) {
        if (prefix.isEmpty()) {
            return name;
        }
        return name.isEmpty() ? prefix : prefix + "." + name;
    }
}
