package dev.fovea.runtime.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import dev.fovea.runtime.io.AtomicFiles;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and byte range, then the raw data. Fovea reads float32, float16 and
 * bfloat16 (widened to float32) and writes float32. Every malformation is a {@link WeightsException}
 * that says what and where; writing goes through a temporary file, so a failure leaves no half file.
 */
public final class SafeTensors {
    /** Headers beyond this are not weights files; refusing them bounds what a corrupt length can cost. */
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private SafeTensors() {}

    /** Every tensor of a file, as float32, read now. */
    public static Map<String, LoadedTensor> read(Path file) {
        Deferred tensors = deferred(file);
        Map<String, LoadedTensor> read = new LinkedHashMap<>();
        tensors.shapes().forEach((name, shape) -> read.put(name, new LoadedTensor(shape, tensors.read(name))));
        return read;
    }

    /**
     * A file's tensors by name, each read when asked for rather than all at once: the header is read and
     * checked now, and each tensor's bytes when {@link Deferred#read} is called. A planner that packs each
     * weight as it reads it then never holds the whole file's floats at once.
     */
    public static Deferred deferred(Path file) {
        String source = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new WeightsException(source + ": " + size + " bytes is too short for a safetensors file");
            }
            Header head = header(ch, size, source);
            long dataStart = 8 + head.length();
            List<Entry> entries = parseHeader(head.json(), source);
            checkLayout(entries, size - dataStart, source);
            Map<String, Entry> byName = new LinkedHashMap<>();
            entries.forEach(e -> byName.put(e.name, e));
            return new Deferred(file, dataStart, byName);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new WeightsException(source + ": no such file", e);
        } catch (IOException e) {
            throw new WeightsException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The tensors of a safetensors file, read one at a time ({@link #deferred}). */
    public static final class Deferred {
        private final Path file;
        private final long dataStart;
        private final Map<String, Entry> entries;

        /** The bytes of the last tensor read, reused for the next. */
        private ByteBuffer bytesRead;

        private Deferred(Path file, long dataStart, Map<String, Entry> entries) {
            this.file = file;
            this.dataStart = dataStart;
            this.entries = entries;
        }

        /** Every tensor's shape, in the file's order. */
        public Map<String, int[]> shapes() {
            Map<String, int[]> shapes = new LinkedHashMap<>();
            entries.forEach((name, e) -> shapes.put(name, e.shape.clone()));
            return shapes;
        }

        /** The values of tensor {@code name}, as float32, read from the file now. */
        public float[] read(String name) {
            return read(name, float[]::new);
        }

        /**
         * As {@link #read(String)}, into an array of the tensor's length from {@code arrays} (which may hand
         * out one that held another tensor: every element is written). The file's bytes pass through one
         * buffer, kept for the next tensor.
         */
        public synchronized float[] read(String name, java.util.function.IntFunction<float[]> arrays) {
            Entry e = entries.get(name);
            if (e == null) {
                throw new IllegalArgumentException(file + " has no tensor " + name);
            }
            String source = file.toString();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                int bytes = Math.toIntExact(e.end - e.begin);
                if (bytesRead == null || bytesRead.capacity() < bytes) {
                    bytesRead = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
                }
                ByteBuffer raw = bytesRead.clear().limit(bytes);
                readFully(ch, raw, dataStart + e.begin, source);
                raw.flip();
                return decode(raw, e.dtype, arrays.apply(Math.toIntExact(e.elements)));
            } catch (IOException ex) {
                throw new WeightsException(source + ": cannot read tensor " + name + ": " + ex.getMessage(), ex);
            }
        }

        public String source() {
            return file.toString();
        }
    }

    /** The string metadata of a file's header ({@code __metadata__}), empty when it has none. */
    public static Map<String, String> metadata(Path file) {
        String source = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new WeightsException(source + ": " + size + " bytes is too short for a safetensors file");
            }
            JsonElement header = com.google.gson.JsonParser.parseString(header(ch, size, source).json());
            Map<String, String> metadata = new LinkedHashMap<>();
            if (header.isJsonObject() && header.getAsJsonObject().get("__metadata__") instanceof JsonObject meta) {
                for (Map.Entry<String, JsonElement> e : meta.entrySet()) {
                    if (!e.getValue().isJsonPrimitive()) {
                        throw new WeightsException(source + ": metadata " + e.getKey() + " is not a string");
                    }
                    metadata.put(e.getKey(), e.getValue().getAsString());
                }
            }
            return metadata;
        } catch (JsonParseException e) {
            throw new WeightsException(source + ": the header is not valid JSON: " + e.getMessage(), e);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new WeightsException(source + ": no such file", e);
        } catch (IOException e) {
            throw new WeightsException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    private record Header(String json, long length) {}

    /** The JSON header, after checking that its length fits the file. */
    private static Header header(FileChannel ch, long size, String source) throws IOException {
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lengthBytes, 0, source);
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength <= 0 || headerLength > MAX_HEADER || headerLength > size - 8) {
            throw new WeightsException(source + ": header length " + Long.toUnsignedString(headerLength) + " does not fit a file of "
                    + size + " bytes; is this a safetensors file?");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(ch, headerBytes, 8, source);
        return new Header(new String(headerBytes.array(), StandardCharsets.UTF_8), headerLength);
    }

    /** Writes float32 tensors, in map order, atomically: the file appears whole or not at all. */
    public static void write(Path file, Map<String, LoadedTensor> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, LoadedTensor> e : tensors.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += 4L * e.getValue().data().length;
            offsets.add(offset);
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // the data starts 8-byte aligned; spaces pad the JSON
        try {
            AtomicFiles.replace(file, temp -> {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                    head.putLong(padded).put(json);
                    while (head.hasRemaining()) {
                        head.put((byte) ' ');
                    }
                    writeFully(ch, head.flip());
                    ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                    for (LoadedTensor t : tensors.values()) {
                        for (float v : t.data()) {
                            if (!chunk.hasRemaining()) {
                                writeFully(ch, chunk.flip());
                                chunk.clear();
                            }
                            chunk.putFloat(v);
                        }
                    }
                    writeFully(ch, chunk.flip());
                    ch.force(true);
                }
            });
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private record Entry(String name, String dtype, int[] shape, long elements, long begin, long end) {}

    private static List<Entry> parseHeader(String header, String source) {
        List<Entry> entries = new ArrayList<>();
        try {
            JsonReader reader = new JsonReader(new StringReader(header));
            reader.beginObject();
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (reader.hasNext()) {
                String name = reader.nextName();
                if (!seen.add(name)) {
                    throw new WeightsException(source + ": tensor " + name + " appears twice in the header");
                }
                JsonElement value = com.google.gson.JsonParser.parseReader(reader);
                if (name.equals("__metadata__")) {
                    continue;
                }
                entries.add(entry(name, value, source));
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new WeightsException(source + ": the header has text after its JSON object");
            }
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new WeightsException(source + ": the header is not valid JSON: " + e.getMessage(), e);
        }
        return entries;
    }

    private static Entry entry(String name, JsonElement value, String source) {
        if (!value.isJsonObject()) {
            throw new WeightsException(source + ": tensor " + name + " is not described by an object");
        }
        JsonObject o = value.getAsJsonObject();
        String dtype = string(o, "dtype", name, source);
        if (!java.util.Set.of("F32", "F16", "BF16", "I64", "I32").contains(dtype)) {
            throw new WeightsException(source + ": tensor " + name + " is " + dtype + "; Fovea reads F32, F16, BF16, and I64 and I32 for labels");
        }
        JsonArray shapeJson = array(o, "shape", name, source);
        int[] shape = new int[shapeJson.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = shapeJson.get(i).getAsLong();
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new WeightsException(source + ": tensor " + name + " has dimension " + d);
            }
            shape[i] = (int) d;
            elements *= d;
        }
        JsonArray offsets = array(o, "data_offsets", name, source);
        if (offsets.size() != 2) {
            throw new WeightsException(source + ": tensor " + name + " needs data_offsets [begin, end]");
        }
        long begin = offsets.get(0).getAsLong();
        long end = offsets.get(1).getAsLong();
        long bytes = elements * switch (dtype) {
            case "I64" -> 8;
            case "F32", "I32" -> 4;
            default -> 2;
        };
        if (begin < 0 || end < begin || end - begin != bytes) {
            throw new WeightsException(source + ": tensor " + name + " of shape " + java.util.Arrays.toString(shape) + " needs "
                    + bytes + " bytes but its data_offsets [" + begin + ", " + end + "] give " + (end - begin));
        }
        if (elements > Integer.MAX_VALUE - 8) {
            throw new WeightsException(source + ": tensor " + name + " is larger than Fovea's 2^31 values");
        }
        return new Entry(name, dtype, shape, elements, begin, end);
    }

    /** The byte ranges must lie within the data and not overlap (the format also forbids holes). */
    private static void checkLayout(List<Entry> entries, long dataLength, String source) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(java.util.Comparator.comparingLong(Entry::begin));
        long expected = 0;
        for (Entry e : sorted) {
            if (e.begin < expected) {
                throw new WeightsException(source + ": tensor " + e.name + " overlaps the tensor before it");
            }
            if (e.begin > expected) {
                throw new WeightsException(source + ": " + (e.begin - expected) + " bytes before tensor " + e.name + " belong to no tensor");
            }
            expected = e.end;
        }
        if (expected > dataLength) {
            throw new WeightsException(source + ": the file is truncated: its tensors need " + expected + " bytes of data but it has "
                    + dataLength);
        }
        if (expected < dataLength) {
            throw new WeightsException(source + ": " + (dataLength - expected) + " bytes at the end belong to no tensor");
        }
    }

    /** Decodes {@code raw} into {@code out}, which must be as long as the tensor; returns it. */
    private static float[] decode(ByteBuffer raw, String dtype, float[] out) {
        switch (dtype) {
            case "F32" -> raw.asFloatBuffer().get(out);
            case "I64" -> { // labels: exact as floats up to 2^24
                for (int i = 0; i < out.length; i++) {
                    out[i] = raw.getLong();
                }
            }
            case "I32" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = raw.getInt();
                }
            }
            case "F16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(raw.getShort());
                }
            }
            default -> { // BF16: the high half of a float32
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((raw.getShort() & 0xffff) << 16);
                }
            }
        }
        return out;
    }

    private static String string(JsonObject o, String key, String tensor, String source) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive()) {
            throw new WeightsException(source + ": tensor " + tensor + " has no " + key);
        }
        return e.getAsString();
    }

    private static JsonArray array(JsonObject o, String key, String tensor, String source) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonArray()) {
            throw new WeightsException(source + ": tensor " + tensor + " has no " + key + " array");
        }
        return e.getAsJsonArray();
    }

    private static void readFully(FileChannel ch, ByteBuffer buffer, long position, String source) throws IOException {
        long p = position;
        while (buffer.hasRemaining()) {
            int n = ch.read(buffer, p);
            if (n < 0) {
                throw new WeightsException(source + ": the file ends early, at byte " + p);
            }
            p += n;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }
}
