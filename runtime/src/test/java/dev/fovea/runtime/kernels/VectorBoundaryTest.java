package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import org.junit.jupiter.api.Test;

/**
 * No method of the runtime takes or returns a vector, a mask or a shuffle. C2 leaves a call out of line
 * when the profile says its site is cold, however small the callee, and then boxes every vector that
 * crosses it on the heap, on every call: a pass would allocate, and only on some runs, as the
 * compilation order decides. Keeping vectors inside the method that computes them rules that out.
 */
class VectorBoundaryTest {
    @Test
    void noRuntimeMethodPassesAVector() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(VectorActivations.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                Class<?> type = Class.forName(name.substring(0, name.length() - ".class".length()), false, getClass().getClassLoader());
                List<Executable> members = new ArrayList<>(List.of(type.getDeclaredMethods()));
                members.addAll(List.of(type.getDeclaredConstructors()));
                for (Executable member : members) {
                    checked++;
                    boolean returnsOne = member instanceof Method m && isVectorish(m.getReturnType());
                    if (returnsOne || Stream.of(member.getParameterTypes()).anyMatch(VectorBoundaryTest::isVectorish)) {
                        offenders.add(type.getName() + "." + member.getName());
                    }
                }
            }
        }
        assertTrue(checked > 500, "the walk found the runtime's classes: " + checked + " methods under " + classes);
        assertEquals(List.of(), offenders, "methods that pass a vector across a call");
    }

    private static boolean isVectorish(Class<?> t) {
        return Vector.class.isAssignableFrom(t) || VectorMask.class.isAssignableFrom(t) || VectorShuffle.class.isAssignableFrom(t);
    }
}
