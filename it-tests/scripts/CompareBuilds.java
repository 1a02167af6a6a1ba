import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;

/**
 * Two builds of Fovea on one model, in one process, taking turns pass by pass: a guest whose virtual
 * CPUs change speed from one process to the next, and sometimes within one, slows both builds alike, so
 * the ratio holds where two separate runs would not. Each build gets its own class loader and session
 * (random weights, seed 42, 2 threads). After a warm-up, each round runs the two one pass at a time,
 * alternating which goes first, for the given seconds; a pair's ratio is B's pass over A's, and a change
 * of speed mid-round spoils only the pair it falls in. Printed: each round's medians and median ratio,
 * then the medians over all rounds.
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
        pairs(builds, input, 6); // warm-up
        double[][] all = new double[3][0];
        for (int round = 0; round < rounds; round++) {
            double[][] pairs = pairs(builds, input, seconds);
            for (int i = 0; i < 3; i++) {
                all[i] = concat(all[i], pairs[i]);
            }
            System.out.printf("round %d: A %.2f ms, B %.2f ms, B/A %.3f (%d pairs)%n", round, middle(pairs[0]), middle(pairs[1]),
                    middle(pairs[2]), pairs[0].length);
        }
        System.out.printf("%s batch %d, %d rounds: A %.2f ms, B %.2f ms, median B/A of %d pairs %.3f%n", model, batch, rounds, middle(all[0]),
                middle(all[1]), all[0].length, middle(all[2]));
    }

    /** A's and B's passes and their ratios, pair after pair for {@code seconds}, the order alternating. */
    private static double[][] pairs(Build[] builds, float[] input, double seconds) throws Exception {
        double[][] pairs = new double[3][100_000];
        int n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end && n < pairs[0].length) {
            for (int turn = 0; turn < 2; turn++) {
                int k = n % 2 == 0 ? turn : 1 - turn;
                pairs[k][n] = builds[k].time(input);
            }
            pairs[2][n] = pairs[1][n] / pairs[0][n];
            n++;
        }
        return new double[][] {Arrays.copyOf(pairs[0], n), Arrays.copyOf(pairs[1], n), Arrays.copyOf(pairs[2], n)};
    }

    private static double[] concat(double[] a, double[] b) {
        double[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
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

        /** Milliseconds of one pass. */
        double time(float[] input) throws Exception {
            long t0 = System.nanoTime();
            run.invoke(session, (Object) input);
            return (System.nanoTime() - t0) / 1e6;
        }
    }
}
