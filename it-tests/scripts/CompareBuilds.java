import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;

/**
 * Two builds of Fovea on one model, in one process, taking turns: a guest whose virtual CPUs change
 * speed from one process to the next (and sometimes within one) slows both builds alike, so the ratio
 * holds where two separate runs would not. Each build gets its own class loader and session (random
 * weights, seed 42, 2 threads); after a warm-up, each round times both for the given seconds, in
 * alternating order, and the medians of the rounds' medians are compared.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -XX:+UseParallelGC -XX:+UseTransparentHugePages \
 *       it-tests/scripts/CompareBuilds.java before.jar after.jar mobilenet_v2 16 6 2
 * </pre>
 */
public class CompareBuilds {
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: CompareBuilds A.jar B.jar MODEL BATCH ROUNDS SECONDS");
            System.exit(2);
        }
        String model = args[2];
        int batch = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        double seconds = Double.parseDouble(args[5]);
        Build[] builds = {Build.load(Path.of(args[0]), model, batch), Build.load(Path.of(args[1]), model, batch)};
        float[] input = new float[batch * 3 * 224 * 224];
        Random r = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        for (Build b : builds) {
            b.median(input, 3);
        }
        double[][] medians = new double[2][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int turn = 0; turn < 2; turn++) {
                int k = round % 2 == 0 ? turn : 1 - turn;
                medians[k][round] = builds[k].median(input, seconds);
            }
            System.out.printf("round %d: A %.2f ms, B %.2f ms, B/A %.3f%n", round, medians[0][round], medians[1][round],
                    medians[1][round] / medians[0][round]);
        }
        double a = middle(medians[0]);
        double b = middle(medians[1]);
        System.out.printf("%s batch %d, median of %d rounds: A %.2f ms, B %.2f ms, B/A %.3f%n", model, batch, rounds, a, b, b / a);
    }

    private static double middle(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** One build's inference session, reached through its own class loader. */
    private record Build(Object session, Method run) {
        static Build load(Path jar, String model, int batch) throws Exception {
            ClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> zooClass = Class.forName("dev.fovea.zoo.Zoo", true, loader);
            Object zoo = zooClass.getMethod("load").invoke(null);
            String name = ((Optional<?>) zooClass.getMethod("find", String.class).invoke(zoo, model)).orElseThrow(
                    () -> new IllegalArgumentException(jar + " has no model " + model)).toString();
            Object tensors = zooClass.getMethod("tensors", String.class).invoke(zoo, name);
            Class<?> parameters = Class.forName("dev.fovea.runtime.weights.Parameters", true, loader);
            Object p = parameters.getMethod("initializedWhenRead", java.util.List.class, long.class).invoke(null, tensors, 42L);
            p = parameters.getMethod("forOneSession").invoke(p);
            Object session = zooClass.getMethod("session", String.class, parameters, int.class, int.class).invoke(zoo, name, p, batch, 2);
            return new Build(session, session.getClass().getMethod("run", float[].class));
        }

        /** The median milliseconds of the passes run in {@code seconds}. */
        double median(float[] input, double seconds) throws Exception {
            double[] times = new double[100_000];
            int n = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end && n < times.length) {
                long t0 = System.nanoTime();
                run.invoke(session, (Object) input);
                times[n++] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(times, 0, n);
            return times[n / 2];
        }
    }
}
