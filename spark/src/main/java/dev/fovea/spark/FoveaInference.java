package dev.fovea.spark;

import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.image.ImagePreprocessing;
import dev.fovea.runtime.weights.SafeTensors;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Batch inference with a Fovea model over a Spark DataFrame. In: images from Spark's image source
 * ({@code image}, decoded pixels) or binary-file source ({@code content}, encoded PNG, JPEG or BMP),
 * prepared as {@code fovea predict} prepares them, or tensors ({@code tensor}, one sample's floats). Out:
 * the other columns, {@code logits}, and the top {@code k} {@code classes} with their softmax
 * {@code probabilities} (and {@code labels} when given).
 * <pre>
 *   Dataset&lt;Row&gt; images = spark.read().format("binaryFile").load("photos/");
 *   Dataset&lt;Row&gt; scored = FoveaInference.of(spark, "resnet18", Path.of("resnet18.safetensors")).topK(5).transform(images);
 * </pre>
 * The weights are broadcast once; each executor loads them once and keeps one session per running task
 * (planned once, lent to each partition), and a partition runs in batches.
 */
public final class FoveaInference implements Serializable {
    private final String network;
    /** One sample's shape: channels, height, width (or features). */
    private final int[] input;
    private final int outputs;
    private final Broadcast<SessionPool.TensorMap> weights;
    private int batch = 16;
    private int threads = 1;
    private int topK = 5;
    private List<String> labels;

    private FoveaInference(String network, int[] input, int outputs, Broadcast<SessionPool.TensorMap> weights) {
        this.network = network;
        this.input = input;
        this.outputs = outputs;
        this.weights = weights;
    }

    /** {@code model}: a zoo network's name ({@code resnet18}) or any network's qualified name on the executors' class path. */
    public static FoveaInference of(SparkSession spark, String model, Path weightsFile) {
        var zoo = SessionPool.zoo();
        String network = zoo.find(model).orElseThrow(() -> new IllegalArgumentException("no network named " + model
                + (zoo.closest(model, 1).isEmpty() ? "" : "; did you mean " + zoo.closest(model, 1).getFirst() + "?")));
        var info = zoo.info(network);
        var tensors = SafeTensors.read(weightsFile);
        zoo.newParameters(network, 0).load(tensors, weightsFile.toString()); // a file that does not fit fails here, not on the executors
        var broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(SessionPool.TensorMap.of(tensors));
        return new FoveaInference(network, info.input().dims(), Math.toIntExact(info.output().elements()), broadcast);
    }

    /** Samples per session run (default 16). */
    public FoveaInference batch(int batch) {
        this.batch = positive("batch", batch);
        return this;
    }

    /** Threads of each session (default 1: one task per core, as Spark schedules them). */
    public FoveaInference threads(int threads) {
        this.threads = positive("threads", threads);
        return this;
    }

    public FoveaInference topK(int k) {
        this.topK = Math.min(positive("top-k", k), outputs);
        return this;
    }

    /** The class names, by class number, for a {@code labels} column. */
    public FoveaInference labels(List<String> labels) {
        if (labels.size() != outputs) {
            throw new IllegalArgumentException(labels.size() + " labels for a network of " + outputs + " outputs");
        }
        this.labels = List.copyOf(labels);
        return this;
    }

    /**
     * The scored rows: the input's other columns (an image column becomes its {@code origin}), then logits,
     * classes, probabilities (and labels).
     */
    public Dataset<Row> transform(Dataset<Row> rows) {
        StructType in = rows.schema();
        Source source = Source.of(in);
        List<StructField> kept = new ArrayList<>();
        for (StructField f : in.fields()) {
            if (!f.name().equals(source.column)) {
                kept.add(f);
            } else if (source == Source.IMAGE) {
                kept.add(DataTypes.createStructField("origin", DataTypes.StringType, true)); // the pixels go, the file's name stays
            }
        }
        StructType out = new StructType(kept.toArray(StructField[]::new))
                .add("logits", DataTypes.createArrayType(DataTypes.FloatType, false))
                .add("classes", DataTypes.createArrayType(DataTypes.IntegerType, false))
                .add("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false));
        if (labels != null) {
            out = out.add("labels", DataTypes.createArrayType(DataTypes.StringType, false));
        }
        return rows.mapPartitions(new Scorer(this, in.fieldIndex(source.column), source), Encoders.row(out));
    }

    /** The column a DataFrame's samples come from, found by name. */
    private enum Source {
        /** Spark's image source: a struct of decoded pixels. */
        IMAGE("image"),
        /** Spark's binary-file source: encoded PNG, JPEG or BMP bytes. */
        CONTENT("content"),
        /** One sample's floats. */
        TENSOR("tensor");

        final String column;

        Source(String column) {
            this.column = column;
        }

        static Source of(StructType schema) {
            List<String> names = Arrays.asList(schema.fieldNames());
            for (Source s : values()) {
                if (names.contains(s.column)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("score a DataFrame with an image column (Spark's image source), a content column"
                    + " (its binaryFile source) or a tensor column (floats), not " + schema.simpleString());
        }
    }

    private static int positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, not " + value);
        }
        return value;
    }

    /**
     * One partition: rows read a batch at a time, as the consumer asks for them, through a session borrowed
     * from the executor's pool and given back when the task ends (however it ends).
     */
    private record Scorer(FoveaInference job, int sourceColumn, Source source) implements MapPartitionsFunction<Row, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            SessionPool.Key key = new SessionPool.Key(job.network, job.weights.id(), job.batch, job.threads);
            InferenceSession session = SessionPool.borrow(key, job.weights.value());
            TaskContext task = TaskContext.get();
            if (task != null) {
                task.addTaskCompletionListener((TaskCompletionListener) done -> SessionPool.release(key, session));
            }
            int size = Arrays.stream(job.input).reduce(1, Math::multiplyExact);
            float[] batch = new float[job.batch * size];
            return new Iterator<>() {
                private final ArrayDeque<Row> ready = new ArrayDeque<>();

                @Override
                public boolean hasNext() {
                    if (ready.isEmpty() && rows.hasNext()) {
                        List<Row> pending = new ArrayList<>(job.batch);
                        while (pending.size() < job.batch && rows.hasNext()) {
                            Row r = rows.next();
                            prepare(r, batch, pending.size() * size);
                            pending.add(r);
                        }
                        Arrays.fill(batch, pending.size() * size, batch.length, 0f);
                        emit(pending, session.run(batch), ready);
                    }
                    return !ready.isEmpty();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return ready.poll();
                }
            };
        }

        private void prepare(Row r, float[] batch, int offset) {
            if (source != Source.TENSOR && job.input.length != 3) {
                throw new IllegalArgumentException(job.network + " takes " + job.input.length + "-dimensional samples, not images");
            }
            if (source == Source.IMAGE) {
                Row image = r.getStruct(sourceColumn);
                ImagePreprocessing.load(SparkImage.toRgb(image), SparkImage.origin(image), job.input[0], job.input[1], job.input[2],
                        batch, offset);
            } else if (source == Source.CONTENT) {
                String name = Arrays.asList(r.schema().fieldNames()).contains("path") ? r.getString(r.fieldIndex("path")) : "an image";
                ImagePreprocessing.load((byte[]) r.get(sourceColumn), name, job.input[0], job.input[1], job.input[2], batch, offset);
            } else {
                List<Object> values = r.getList(sourceColumn);
                int size = Arrays.stream(job.input).reduce(1, Math::multiplyExact);
                if (values.size() != size) {
                    throw new IllegalArgumentException("a tensor of " + values.size() + " values; " + job.network + " takes "
                            + Arrays.toString(job.input));
                }
                for (int i = 0; i < values.size(); i++) {
                    batch[offset + i] = ((Number) values.get(i)).floatValue();
                }
            }
        }

        private void emit(List<Row> pending, float[] logits, ArrayDeque<Row> out) {
            for (int s = 0; s < pending.size(); s++) {
                float[] mine = Arrays.copyOfRange(logits, s * job.outputs, (s + 1) * job.outputs);
                Integer[] top = TopK.of(mine, job.topK);
                float[] p = TopK.softmax(mine);
                List<Object> cells = new ArrayList<>();
                Row r = pending.get(s);
                for (int c = 0; c < r.size(); c++) {
                    if (c != sourceColumn) {
                        cells.add(r.get(c));
                    } else if (source == Source.IMAGE) {
                        cells.add(r.getStruct(c).getAs("origin"));
                    }
                }
                cells.add(boxed(mine)); // arrays: Spark's row encoder takes Java arrays or Scala sequences
                cells.add(top);
                Float[] probabilities = new Float[top.length];
                String[] names = new String[top.length];
                for (int k = 0; k < top.length; k++) {
                    probabilities[k] = p[top[k]];
                    names[k] = job.labels == null ? null : job.labels.get(top[k]);
                }
                cells.add(probabilities);
                if (job.labels != null) {
                    cells.add(names);
                }
                out.add(RowFactory.create(cells.toArray()));
            }
        }

        private static Float[] boxed(float[] values) {
            Float[] out = new Float[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = values[i];
            }
            return out;
        }
    }
}
