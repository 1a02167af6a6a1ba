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
 * (random weights, seed 42, 2 threads). After a warm-up, each round runs them one pass at a time,
 * alternating which goes first, for the given seconds; a pair's ratio is B's pass over A's, and a change
 * of speed mid-round spoils only the pair it falls in.
 *
 * <p>Where a session's arrays land in the heap matters too: of two sessions of one build, the one built
 * second ran 1 to 5% faster (MobileNet v2 at batch 16, ResNet-50). So each build gets two sessions, built
 * in the order A B B A, and the pairs are A's first with B's first and B's second with A's second. The
 * position's effect multiplies the first pairing's ratio and divides the second's; the square root of
 * their product is the builds' ratio, that of their quotient the position's. Printed: each round's
 * medians and median ratios, then the medians over all rounds. A jar compared with itself shows the
 * position's effect alone.
 *
 * <p>Something else still favours one argument: a jar compared with itself on a Zen 5 guest gave B/A
 * 0.966 (MobileNet v1), 0.982 (MobileNet v2), 0.980 (GoogLeNet) and 1.000 (ResNet-50) at batch 1, 0.988
 * at 16. For a change under 3%, run it again with the jars swapped: if r1 is B/A of the first run and r2
 * of the second, the builds' ratio is the square root of r1 / r2, and what favoured the argument the square
 * root of r1 * r2.
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
        Build a1 = Build.load(Path.of(args[0]), model, batch);
        Build b1 = Build.load(Path.of(args[1]), model, batch);
        Build b2 = Build.load(Path.of(args[1]), model, batch);
        Build a2 = Build.load(Path.of(args[0]), model, batch);
        Build[] builtFirst = {a1, b1};
        Build[] builtLast = {a2, b2};
        float[] input = new float[batch * 3 * 224 * 224];
        Random r = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        pairs(builtFirst, builtLast, input, 6); // warm-up
        double[][] all = new double[4][0];
        for (int round = 0; round < rounds; round++) {
            double[][] pairs = pairs(builtFirst, builtLast, input, seconds);
            for (int i = 0; i < all.length; i++) {
                all[i] = concat(all[i], pairs[i]);
            }
            System.out.printf("round %d: A %.2f ms, B %.2f ms, %s (%d pairs)%n", round, middle(pairs[0]), middle(pairs[1]),
                    ratios(pairs[2], pairs[3]), pairs[0].length);
        }
        System.out.printf("%s batch %d, %d rounds: A %.2f ms, B %.2f ms, %s of %d pairs%n", model, batch, rounds, middle(all[0]),
                middle(all[1]), ratios(all[2], all[3]), all[0].length);
    }

    /** The builds' ratio B/A and the position's, from the medians of the A-first and B-first pairings' ratios. */
    private static String ratios(double[] aFirst, double[] bFirst) {
        double q1 = middle(aFirst);
        double q2 = middle(bFirst);
        return String.format("B/A %.3f (A built first %.3f, B built first %.3f; second built over first %.3f)", Math.sqrt(q1 * q2), q1, q2,
                Math.sqrt(q1 / q2));
    }

    /**
     * Pair after pair for {@code seconds}, each pair of A and B in turn, the order alternating, from the sessions
     * built first and from those built last in turn: A's passes, B's, and the ratios B/A of the first pairing and of
     * the second.
     */
    private static double[][] pairs(Build[] builtFirst, Build[] builtLast, float[] input, double seconds) throws Exception {
        double[][] pairs = new double[4][100_000];
        int[] ratios = new int[2];
        int n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end && n < pairs[0].length) {
            int pairing = n / 2 % 2;
            Build[] builds = pairing == 0 ? builtFirst : builtLast;
            double[] ms = new double[2];
            for (int turn = 0; turn < 2; turn++) {
                int k = n % 2 == 0 ? turn : 1 - turn;
                ms[k] = builds[k].time(input);
            }
            pairs[0][n] = ms[0];
            pairs[1][n] = ms[1];
            pairs[2 + pairing][ratios[pairing]++] = ms[1] / ms[0];
            n++;
        }
        return new double[][] {Arrays.copyOf(pairs[0], n), Arrays.copyOf(pairs[1], n), Arrays.copyOf(pairs[2], ratios[0]),
                Arrays.copyOf(pairs[3], ratios[1])};
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
