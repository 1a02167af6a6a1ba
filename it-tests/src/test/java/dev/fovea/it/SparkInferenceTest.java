package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.image.ImagePreprocessing;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.spark.FoveaInference;
import dev.fovea.zoo.Zoo;
import dev.fovea.zoo.cli.Main;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch inference in Spark's local mode, two executor threads: a DataFrame of image files (Spark's
 * binary-file source) scored by LeNet in three partitions, in batches of 4, gives per image the logits
 * {@code fovea infer} gives for the same image prepared as {@code fovea predict} prepares it, with the
 * top classes and their softmax probabilities; so do the same files read by Spark's image source, and
 * the prepared samples as a tensor column.
 */
class SparkInferenceTest {
    private static final int IMAGES = 11;

    @TempDir
    Path dir;

    /** Each image as the model's input, by file name. */
    private final Map<String, float[]> prepared = new TreeMap<>();

    @Test
    void scoringADataFrameOfImagesGivesWhatFoveaInferGives() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Random random = new Random(5);
        for (int i = 0; i < IMAGES; i++) {
            BufferedImage image = new BufferedImage(30 + i, 40, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    image.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            ImageIO.write(image, "png", images.resolve("image" + i + ".png").toFile());
        }
        Zoo zoo = Zoo.load();
        String lenet = zoo.find("LeNet").orElseThrow();
        Path weights = dir.resolve("lenet.safetensors");
        SafeTensors.write(weights, zoo.newParameters(lenet, 3).asMap(), Map.of());
        Map<String, float[]> expected = fromFoveaInfer(weights, images);

        SparkSession spark = SparkSession.builder().master("local[2]").appName("fovea-inference-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "3").getOrCreate();
        try {
            Dataset<Row> files = spark.read().format("binaryFile").load(images.toString()).repartition(3);
            List<String> labels = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
            Dataset<Row> scored = FoveaInference.of(spark, "lenet", weights).batch(4).topK(3).labels(labels).transform(files);
            assertEquals(List.of("path", "modificationTime", "length", "logits", "classes", "probabilities", "labels"),
                    List.of(scored.schema().fieldNames()));
            List<Row> rows = scored.collectAsList();
            assertEquals(IMAGES, rows.size());
            for (Row r : rows) {
                String path = Path.of(java.net.URI.create(r.getString(0))).getFileName().toString();
                float[] want = expected.get(path);
                List<Float> logits = r.getList(3);
                float[] got = new float[logits.size()];
                for (int i = 0; i < got.length; i++) {
                    got[i] = logits.get(i);
                }
                assertArrayEquals(want, got, 1e-5f, path);
                List<Integer> classes = r.getList(4);
                assertEquals(3, classes.size());
                for (int k = 0; k < 10; k++) {
                    assertTrue(k == classes.get(0) || want[k] <= want[classes.get(0)], path + ": the first class has the largest logit");
                }
                assertTrue(want[classes.get(0)] >= want[classes.get(1)] && want[classes.get(1)] >= want[classes.get(2)]);
                List<Float> p = r.getList(5);
                assertTrue(p.get(0) >= p.get(1) && p.get(0) + p.get(1) + p.get(2) <= 1.0001f, p.toString());
                assertEquals(labels.get(classes.get(0)), r.getList(6).get(0));
            }

            // the same files through Spark's image source (decoded pixels): the same logits, with each file's origin
            Dataset<Row> pictures = spark.read().format("image").load(images.toString()).repartition(2);
            Dataset<Row> fromPictures = FoveaInference.of(spark, "lenet", weights).batch(4).topK(2).transform(pictures);
            assertEquals(List.of("origin", "logits", "classes", "probabilities"), List.of(fromPictures.schema().fieldNames()));
            List<Row> pictureRows = fromPictures.collectAsList();
            assertEquals(IMAGES, pictureRows.size());
            for (Row r : pictureRows) {
                String path = Path.of(java.net.URI.create(r.getString(0))).getFileName().toString();
                List<Float> logits = r.getList(1);
                for (int i = 0; i < 10; i++) {
                    assertEquals(expected.get(path)[i], logits.get(i), 1e-5f, path);
                }
            }

            // a file the image source cannot decode: the job fails naming it
            Path broken = Files.createDirectories(dir.resolve("broken"));
            Files.writeString(broken.resolve("truncated.png"), "not a picture");
            Dataset<Row> unreadable = FoveaInference.of(spark, "lenet", weights).transform(spark.read().format("image").load(broken.toString()));
            Exception failure = assertThrows(Exception.class, unreadable::collectAsList);
            assertTrue(failure.getMessage().contains("truncated.png: Spark's image source could not decode it"), failure.getMessage());

            // the same samples as tensors (a column of floats): the same logits
            List<Row> tensors = new ArrayList<>();
            prepared.forEach((file, x) -> {
                Float[] boxed = new Float[x.length];
                for (int i = 0; i < x.length; i++) {
                    boxed[i] = x[i];
                }
                tensors.add(RowFactory.create(file, boxed));
            });
            var schema = new StructType().add("name", DataTypes.StringType)
                    .add("tensor", DataTypes.createArrayType(DataTypes.FloatType));
            List<Row> fromTensors = FoveaInference.of(spark, "lenet", weights).batch(3).transform(spark.createDataFrame(tensors, schema))
                    .collectAsList();
            assertEquals(IMAGES, fromTensors.size());
            for (Row r : fromTensors) {
                List<Float> logits = r.getList(1);
                for (int i = 0; i < 10; i++) {
                    assertEquals(expected.get(r.getString(0))[i], logits.get(i), 1e-5f, r.getString(0));
                }
            }
        } finally {
            spark.stop();
        }
    }

    /** The images as fovea predict prepares them, in one tensor file, through fovea infer; logits by file name. */
    private Map<String, float[]> fromFoveaInfer(Path weights, Path images) throws Exception {
        List<Path> files;
        try (var list = Files.list(images)) {
            files = list.sorted().toList();
        }
        float[] x = new float[files.size() * 1024];
        for (int i = 0; i < files.size(); i++) {
            ImagePreprocessing.load(files.get(i), 1, 32, 32, x, i * 1024);
            prepared.put(files.get(i).getFileName().toString(), Arrays.copyOfRange(x, i * 1024, (i + 1) * 1024));
        }
        Path input = dir.resolve("input.safetensors");
        Path output = dir.resolve("logits.safetensors");
        SafeTensors.write(input, Map.of("input", new LoadedTensor(new int[] {files.size(), 1, 32, 32}, x)), Map.of());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.execute(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "infer", "lenet", "--weights", weights.toString(), "--input",
                input.toString(), "--output", output.toString(), "--threads", "1");
        assertEquals(0, status, err.toString());
        float[] logits = SafeTensors.read(output).get("logits").data();
        Map<String, float[]> byFile = new HashMap<>();
        for (int i = 0; i < files.size(); i++) {
            byFile.put(files.get(i).getFileName().toString(), Arrays.copyOfRange(logits, i * 10, (i + 1) * 10));
        }
        return byFile;
    }
}
