package dev.fovea.zoo;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.text.Suggestions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The networks compiled into this jar, found through the processor's index, and looked up by name the
 * way users type them: case-insensitive, ignoring punctuation, so that torchvision's names
 * ({@code vgg16_bn}, {@code resnext50_32x4d}) find {@code Vgg16Bn} and {@code ResNeXt50_32x4d}.
 */
public final class Zoo {
    /** The list of networks the annotation processor writes into every project it compiles. */
    public static final String INDEX = "META-INF/fovea/index.txt";

    private final Map<String, String> byKey = new LinkedHashMap<>();
    private final ClassLoader loader;

    private Zoo(List<String> networks, ClassLoader loader) {
        this.loader = loader;
        for (String name : networks) {
            byKey.put(key(simpleName(name)), name);
        }
    }

    /** The networks of the jars on the class path. */
    public static Zoo load() {
        return load(Zoo.class.getClassLoader());
    }

    /**
     * The networks {@code loader} sees: those of a user's compiled project, with a loader over its classes
     * (whose parent holds the zoo). A user's network of the same name as a zoo network hides it.
     */
    public static Zoo load(ClassLoader loader) {
        try {
            List<String> networks = new ArrayList<>();
            var resources = loader.getResources(INDEX);
            while (resources.hasMoreElements()) {
                try (InputStream in = resources.nextElement().openStream()) {
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).forEach(networks::add);
                }
            }
            return new Zoo(networks, loader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Qualified names, in index order. */
    public List<String> networks() {
        return List.copyOf(byKey.values());
    }

    public Optional<String> find(String typed) {
        return Optional.ofNullable(byKey.get(key(typed)));
    }

    /** The known names closest to a mistyped one, for the error message. */
    public List<String> closest(String typed, int count) {
        String k = key(typed);
        return byKey.entrySet().stream()
                .sorted(java.util.Comparator.comparingInt((Map.Entry<String, String> e) -> Suggestions.distance(k, e.getKey())))
                .limit(count)
                .map(e -> simpleName(e.getValue()))
                .toList();
    }

    /** The compile-time figures of a network, from its generated model class. */
    public ModelInfo info(String qualifiedName) {
        try {
            return (ModelInfo) model(qualifiedName).getField("INFO").get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the model class of " + qualifiedName + " is missing from the jar", e);
        }
    }

    /** Seeded parameters for a network, initialised as PyTorch would. */
    public dev.fovea.runtime.weights.Parameters newParameters(String qualifiedName, long seed) {
        try {
            return (dev.fovea.runtime.weights.Parameters) model(qualifiedName).getMethod("newParameters", long.class).invoke(null, seed);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make parameters for " + qualifiedName, e);
        }
    }

    /** The tensors a network has (names, shapes, initialisation), without making any. */
    @SuppressWarnings("unchecked")
    public List<dev.fovea.runtime.weights.TensorSpec> tensors(String qualifiedName) {
        try {
            return (List<dev.fovea.runtime.weights.TensorSpec>) model(qualifiedName).getField("TENSORS").get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot list the tensors of " + qualifiedName, e);
        }
    }

    /** An inference session of a network, on the fast path. */
    public dev.fovea.runtime.exec.InferenceSession session(String qualifiedName, dev.fovea.runtime.weights.Parameters parameters,
            int batch, int threads) {
        try {
            return (dev.fovea.runtime.exec.InferenceSession) model(qualifiedName)
                    .getMethod("session", dev.fovea.runtime.weights.Parameters.class, int.class, int.class)
                    .invoke(null, parameters, batch, threads);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a session of " + qualifiedName, e);
        }
    }

    /**
     * For a network derived from another ({@code @Derive}), the tensors of its own layers (its model's
     * {@code NEW_TENSORS}), which its base's weights do not have; empty for any other network.
     */
    @SuppressWarnings("unchecked")
    public Optional<List<String>> newTensors(String qualifiedName) {
        try {
            return Optional.of((List<String>) model(qualifiedName).getField("NEW_TENSORS").get(null));
        } catch (NoSuchFieldException e) {
            return Optional.empty();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the model class of " + qualifiedName + " is missing from the jar", e);
        }
    }

    /** The network as its typed graph, which the planners read. */
    public dev.fovea.runtime.graph.NetworkGraph graph(String qualifiedName) {
        try {
            return (dev.fovea.runtime.graph.NetworkGraph) model(qualifiedName).getField("GRAPH").get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the model class of " + qualifiedName + " is missing from the jar", e);
        }
    }

    /** A training session of a network, training {@code parameters} in place. */
    public dev.fovea.runtime.train.TrainingSession trainingSession(String qualifiedName, dev.fovea.runtime.weights.Parameters parameters,
            int batch, int threads) {
        return dev.fovea.runtime.plan.TrainingPlanner.session(graph(qualifiedName), parameters, batch, threads);
    }

    private Class<?> model(String qualifiedName) throws ClassNotFoundException {
        return Class.forName(qualifiedName + "Model", true, loader);
    }

    /** The report the processor wrote for a network, as JSON text. */
    public String report(String qualifiedName) {
        String resource = "META-INF/fovea/" + qualifiedName + ".json";
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String simpleName(String qualifiedName) {
        return qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
    }

    /** "ResNeXt50_32x4d" and "resnext50-32x4d" are the same key. */
    static String key(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
