package dev.fovea.spark;

import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.zoo.Zoo;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What an executor JVM keeps between tasks: per model and weights, the parameters (loaded from the
 * broadcast once) and the inference sessions, one per task running at a time, lent to a task and taken
 * back when it ends. A partition never plans a session; an executor with four cores plans four.
 */
final class SessionPool {
    /** What a session is for: the network, the broadcast weights it reads, the batch and threads it was planned for. */
    record Key(String network, long weights, int batch, int threads) {}

    private static final Map<Key, Parameters> PARAMETERS = new ConcurrentHashMap<>();
    private static final Map<Key, Queue<InferenceSession>> IDLE = new ConcurrentHashMap<>();
    private static volatile Zoo zoo;

    private SessionPool() {}

    /** An idle session for {@code key}, or a new one; give it back with {@link #release}. */
    static InferenceSession borrow(Key key, TensorMap weights) {
        InferenceSession idle = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).poll();
        if (idle != null) {
            return idle;
        }
        Parameters p = PARAMETERS.computeIfAbsent(key, k -> {
            Parameters fresh = zoo().newParameters(k.network(), 0);
            fresh.load(weights.tensors(), "the broadcast weights of " + k.network());
            return fresh;
        });
        return zoo().session(key.network(), p, key.batch(), key.threads());
    }

    static void release(Key key, InferenceSession session) {
        IDLE.get(key).add(session);
    }

    static Zoo zoo() {
        if (zoo == null) {
            zoo = Zoo.load(Thread.currentThread().getContextClassLoader());
        }
        return zoo;
    }

    /** Weights as plain serialisable arrays, for a broadcast. */
    record TensorMap(HashMap<String, int[]> shapes, HashMap<String, float[]> values) implements java.io.Serializable {
        static TensorMap of(Map<String, LoadedTensor> tensors) {
            HashMap<String, int[]> shapes = new HashMap<>();
            HashMap<String, float[]> values = new HashMap<>();
            tensors.forEach((name, t) -> {
                shapes.put(name, t.shape());
                values.put(name, t.data());
            });
            return new TensorMap(shapes, values);
        }

        Map<String, LoadedTensor> tensors() {
            Map<String, LoadedTensor> out = new HashMap<>();
            shapes.forEach((name, shape) -> out.put(name, new LoadedTensor(shape, values.get(name))));
            return out;
        }
    }
}
