package dev.fovea.processor.parse;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.fovea.processor.model.AnnotationUse;
import dev.fovea.processor.model.BlockDecl;
import dev.fovea.processor.model.Expr;
import dev.fovea.processor.model.MemberDecl;
import dev.fovea.processor.model.ParamDecl;
import dev.fovea.processor.model.ParamType;
import dev.fovea.processor.model.Placeholder;
import dev.fovea.processor.model.SourceRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A block as its own compilation parsed it, stored beside its class as {@code <Name>.block.json} in the
 * block's package (not under {@code META-INF}: javac looks resources up in jars only in folders whose names
 * are Java identifiers): its parameters, its placeholder constants, and its
 * members with every annotation value as an expression over the parameters. A class file holds only
 * the constants javac folded; the template lets another project's networks rebind the block's
 * expressions to their own arguments, exactly as if the block's source were compiled with them.
 */
public final class BlockTemplate {
    /** Raised when the stored format changes; an older or newer template is treated as absent. */
    static final int FORMAT = 1;

    private BlockTemplate() {}

    /** Where a block's template is stored: a file in a package, as javac's {@code Filer} names resources. */
    public record Location(String packageName, String fileName) {}

    /** The template of block {@code qualifiedName}, declared in package {@code packageName}. */
    public static Location location(String packageName, String qualifiedName) {
        String inPackage = packageName.isEmpty() ? qualifiedName : qualifiedName.substring(packageName.length() + 1);
        return new Location(packageName, inPackage + ".block.json");
    }

    public static String write(BlockDecl block) {
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT);
        root.addProperty("block", block.qualifiedName());
        JsonArray params = new JsonArray();
        for (ParamDecl p : block.params()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", p.name());
            o.addProperty("type", p.type().name());
            if (p.defaultValue() != null) {
                o.add("default", expr(p.defaultValue()));
            }
            o.addProperty("firstOnly", p.firstOnly());
            params.add(o);
        }
        root.add("params", params);
        JsonArray placeholders = new JsonArray();
        for (Placeholder ph : block.placeholders()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", ph.name());
            o.addProperty("type", ph.type().name());
            placeholders.add(o);
        }
        root.add("placeholders", placeholders);
        JsonArray members = new JsonArray();
        for (MemberDecl m : block.members()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", m.name());
            JsonArray annotations = new JsonArray();
            m.annotations().forEach(a -> annotations.add(annotation(a)));
            o.add("annotations", annotations);
            members.add(o);
        }
        root.add("members", members);
        return new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting().create().toJson(root);
    }

    /**
     * The block stored in {@code json}, its places all {@code ref} (the class it came from: diagnostics
     * about its layers fall on the uses); empty when the text is not a template this version reads.
     */
    public static Optional<BlockDecl> read(String json, SourceRef ref) {
        try {
            JsonObject root = JsonParser.parseString(json).getAsJsonObject();
            if (root.get("format").getAsInt() != FORMAT) {
                return Optional.empty();
            }
            List<ParamDecl> params = new ArrayList<>();
            for (JsonElement e : root.getAsJsonArray("params")) {
                JsonObject o = e.getAsJsonObject();
                Expr fallback = o.has("default") ? expr(o.get("default")) : null;
                params.add(new ParamDecl(o.get("name").getAsString(), ParamType.valueOf(o.get("type").getAsString()), fallback,
                        o.get("firstOnly").getAsBoolean(), ref));
            }
            List<Placeholder> placeholders = new ArrayList<>();
            for (JsonElement e : root.getAsJsonArray("placeholders")) {
                JsonObject o = e.getAsJsonObject();
                placeholders.add(new Placeholder(o.get("name").getAsString(), ParamType.valueOf(o.get("type").getAsString()), ref));
            }
            List<MemberDecl> members = new ArrayList<>();
            for (JsonElement e : root.getAsJsonArray("members")) {
                JsonObject o = e.getAsJsonObject();
                List<AnnotationUse> uses = new ArrayList<>();
                for (JsonElement a : o.getAsJsonArray("annotations")) {
                    uses.add(annotation(a.getAsJsonObject(), ref));
                }
                members.add(new MemberDecl(o.get("name").getAsString(), ref, uses));
            }
            return Optional.of(new BlockDecl(root.get("block").getAsString(), params, placeholders, members, true, ref));
        } catch (JsonParseException | IllegalStateException | IllegalArgumentException | NullPointerException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static JsonObject annotation(AnnotationUse a) {
        JsonObject o = new JsonObject();
        o.addProperty("type", a.type());
        JsonObject args = new JsonObject();
        a.args().forEach((name, value) -> args.add(name, expr(value)));
        o.add("args", args);
        JsonArray explicit = new JsonArray();
        a.args().keySet().stream().filter(a::isExplicit).sorted().forEach(explicit::add);
        o.add("explicit", explicit);
        return o;
    }

    private static AnnotationUse annotation(JsonObject o, SourceRef ref) {
        Map<String, Expr> args = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("args").entrySet()) {
            args.put(e.getKey(), expr(e.getValue()));
        }
        Map<String, SourceRef> explicit = new LinkedHashMap<>();
        for (JsonElement e : o.getAsJsonArray("explicit")) {
            explicit.put(e.getAsString(), ref);
        }
        return new AnnotationUse(o.get("type").getAsString(), args, ref, explicit);
    }

    /** An expression as JSON: one key names the kind of node, so that integers, longs and doubles stay apart. */
    private static JsonElement expr(Expr e) {
        JsonObject o = new JsonObject();
        switch (e) {
            case Expr.Literal l -> {
                return literal(l.value());
            }
            case Expr.ParamRef r -> o.addProperty("param", r.name());
            case Expr.Unary u -> {
                o.addProperty("unary", u.operator());
                o.add("operand", expr(u.operand()));
            }
            case Expr.Binary b -> {
                o.addProperty("binary", b.operator());
                o.add("left", expr(b.left()));
                o.add("right", expr(b.right()));
            }
            case Expr.Conditional c -> {
                o.add("if", expr(c.condition()));
                o.add("then", expr(c.whenTrue()));
                o.add("else", expr(c.whenFalse()));
            }
            case Expr.Cast c -> {
                o.addProperty("cast", c.type());
                o.add("operand", expr(c.operand()));
            }
            case Expr.ArrayOf a -> {
                JsonArray elements = new JsonArray();
                a.elements().forEach(x -> elements.add(expr(x)));
                o.add("array", elements);
            }
        }
        return o;
    }

    private static JsonElement literal(Object value) {
        JsonObject o = new JsonObject();
        switch (value) {
            case Integer i -> o.addProperty("int", i);
            case Long l -> o.addProperty("long", l);
            case Double d -> o.addProperty("double", d);
            case Boolean b -> o.addProperty("boolean", b);
            case String s -> o.addProperty("string", s);
            case Expr.EnumConstant c -> {
                o.addProperty("enum", c.type());
                o.addProperty("constant", c.name());
            }
            case List<?> list -> {
                JsonArray elements = new JsonArray();
                list.forEach(x -> elements.add(literal(x)));
                o.add("list", elements);
            }
            case Number n -> o.addProperty("int", n.intValue()); // short and byte values, which the DSL does not declare
            default -> throw new IllegalArgumentException("a value of type " + value.getClass().getName() + " in a block's annotation");
        }
        return o;
    }

    private static Expr expr(JsonElement json) {
        JsonObject o = json.getAsJsonObject();
        if (o.has("param")) {
            return new Expr.ParamRef(o.get("param").getAsString());
        } else if (o.has("unary")) {
            return new Expr.Unary(o.get("unary").getAsString(), expr(o.get("operand")));
        } else if (o.has("binary")) {
            return new Expr.Binary(o.get("binary").getAsString(), expr(o.get("left")), expr(o.get("right")));
        } else if (o.has("if")) {
            return new Expr.Conditional(expr(o.get("if")), expr(o.get("then")), expr(o.get("else")));
        } else if (o.has("cast")) {
            return new Expr.Cast(o.get("cast").getAsString(), expr(o.get("operand")));
        } else if (o.has("array")) {
            List<Expr> elements = new ArrayList<>();
            o.getAsJsonArray("array").forEach(x -> elements.add(expr(x)));
            return new Expr.ArrayOf(elements);
        }
        return new Expr.Literal(literalValue(o));
    }

    private static Object literalValue(JsonObject o) {
        if (o.has("int")) {
            return o.get("int").getAsInt();
        } else if (o.has("long")) {
            return o.get("long").getAsLong();
        } else if (o.has("double")) {
            return o.get("double").getAsDouble();
        } else if (o.has("boolean")) {
            return o.get("boolean").getAsBoolean();
        } else if (o.has("string")) {
            return o.get("string").getAsString();
        } else if (o.has("enum")) {
            return new Expr.EnumConstant(o.get("enum").getAsString(), o.get("constant").getAsString());
        } else if (o.has("list")) {
            List<Object> values = new ArrayList<>();
            o.getAsJsonArray("list").forEach(x -> values.add(literalValue(x.getAsJsonObject())));
            return List.copyOf(values);
        }
        throw new IllegalArgumentException("no expression in " + o);
    }
}
