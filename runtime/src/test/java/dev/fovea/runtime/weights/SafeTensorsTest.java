package dev.fovea.runtime.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** A safetensors file built byte by byte, as the format's specification describes it. */
    private Path file(String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put(data);
        Path p = dir.resolve("w" + System.nanoTime() + ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    @Test
    void readsAFileBuiltFromTheSpecification() throws IOException {
        Path p = file("{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", floats(1, 2, 3, 4, 5, 6, -1, 0.5f));
        Map<String, LoadedTensor> t = SafeTensors.read(p);
        assertArrayEquals(new int[] {2, 3}, t.get("a").shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.get("a").data());
        assertArrayEquals(new float[] {-1, 0.5f}, t.get("b").data());
    }

    @Test
    void widensHalfAndBrainFloat() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f));
        b.putShort((short) (Float.floatToIntBits(3.25f) >>> 16)).putShort((short) (Float.floatToIntBits(-0.125f) >>> 16));
        Path p = file("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"g\":{\"dtype\":\"BF16\",\"shape\":[2],"
                + "\"data_offsets\":[4,8]}}", b.array());
        Map<String, LoadedTensor> t = SafeTensors.read(p);
        assertArrayEquals(new float[] {1.5f, -2f}, t.get("h").data());
        assertArrayEquals(new float[] {3.25f, -0.125f}, t.get("g").data());
    }

    @Test
    void writesWhatItReadsAndAlignsTheData() throws IOException {
        Map<String, LoadedTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv.weight", new LoadedTensor(new int[] {2, 1, 1, 2}, new float[] {1, -2, 3.5f, Float.MIN_VALUE}));
        tensors.put("conv.bias", new LoadedTensor(new int[] {2}, new float[] {0, 7}));
        Path p = dir.resolve("model.safetensors");
        SafeTensors.write(p, tensors, Map.of("model", "test"));
        Map<String, LoadedTensor> back = SafeTensors.read(p);
        assertEquals(List.of("conv.weight", "conv.bias"), List.copyOf(back.keySet()));
        assertArrayEquals(tensors.get("conv.weight").data(), back.get("conv.weight").data());
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLength) % 8);
        assertEquals(List.of(p), Files.list(dir).toList(), "no temporary file left behind");
    }

    @Test
    void failedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path p = dir.resolve("keep.safetensors");
        Files.writeString(p, "old");
        Map<String, LoadedTensor> bad = new LinkedHashMap<>();
        bad.put("x", new LoadedTensor(new int[] {1}, new float[] {1}));
        Path missingDir = dir.resolve("no/such/dir/x.safetensors");
        assertThrows(WeightsException.class, () -> SafeTensors.write(missingDir, bad, Map.of()));
        assertEquals("old", Files.readString(p));
        assertEquals(List.of(p), Files.list(dir).toList());
    }

    private String error(String header, byte[] data) throws IOException {
        Path p = file(header, data);
        return assertThrows(WeightsException.class, () -> SafeTensors.read(p)).getMessage();
    }

    @Test
    void malformedFilesAreRejectedWithWhatIsWrong() throws IOException {
        assertTrue(error("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", floats(1, 2)).contains(
                "the file is truncated: its tensors need 16 bytes of data but it has 8"));
        assertTrue(error("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", floats(1, 2)).contains(
                "tensor a of shape [3] needs 12 bytes but its data_offsets [0, 8] give 8"));
        assertTrue(error("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", floats(1, 2)).contains(
                "tensor a is U8; Fovea reads F32, F16, BF16, and I64 and I32 for labels"));
        assertTrue(error("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", floats(1)).contains(
                "the header is not valid JSON"));
        assertTrue(error("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[4,8]}}", floats(1, 2)).contains("tensor a appears twice"));
        assertTrue(error("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[4,8]}}", floats(1, 2)).contains("tensor b overlaps"));
        assertTrue(error("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", floats(1, 2)).contains(
                "4 bytes before tensor a belong to no tensor"));
        assertTrue(error("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1, 2)).contains(
                "4 bytes at the end belong to no tensor"));
        assertTrue(error("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1)).contains("tensor a has no dtype"));
    }

    @Test
    void filesThatAreNotSafetensorsAtAll() throws IOException {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, world! this is not a weights file");
        assertTrue(assertThrows(WeightsException.class, () -> SafeTensors.read(text)).getMessage().contains("is this a safetensors file?"));
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[] {1, 2});
        assertTrue(assertThrows(WeightsException.class, () -> SafeTensors.read(tiny)).getMessage().contains("too short"));
        Path none = dir.resolve("missing.safetensors");
        assertEquals(none + ": no such file", assertThrows(WeightsException.class, () -> SafeTensors.read(none)).getMessage());
    }

    @Test
    void loadingChecksNamesAndShapesAndChangesNothingOnError() {
        Parameters p = new Parameters(List.of(new TensorSpec("w", new int[] {2, 2}, false), new TensorSpec("b", new int[] {2}, false)));
        Map<String, LoadedTensor> good = new LinkedHashMap<>();
        good.put("w", new LoadedTensor(new int[] {2, 2}, new float[] {1, 2, 3, 4}));
        good.put("b", new LoadedTensor(new int[] {2}, new float[] {5, 6}));
        good.put("bn.num_batches_tracked", new LoadedTensor(new int[] {}, new float[] {0}));
        p.load(good, "good.safetensors");
        assertArrayEquals(new float[] {5, 6}, p.get("b"));

        Map<String, LoadedTensor> wrongShape = new LinkedHashMap<>(good);
        wrongShape.put("w", new LoadedTensor(new int[] {4}, new float[] {9, 9, 9, 9}));
        wrongShape.put("b", new LoadedTensor(new int[] {2}, new float[] {9, 9}));
        assertEquals("bad: tensor w has shape [4] but the model needs [2, 2]",
                assertThrows(WeightsException.class, () -> p.load(wrongShape, "bad")).getMessage());
        assertArrayEquals(new float[] {5, 6}, p.get("b"), "nothing loaded from a bad file");

        Map<String, LoadedTensor> missing = new LinkedHashMap<>();
        missing.put("w", good.get("w"));
        assertEquals("m: 1 of the model's tensors are missing, first b", assertThrows(WeightsException.class, () -> p.load(missing, "m")).getMessage());

        Map<String, LoadedTensor> other = new LinkedHashMap<>(good);
        other.put("fc.weight", new LoadedTensor(new int[] {1}, new float[] {1}));
        assertEquals("o: 1 tensors are not the model's, first fc.weight: are these weights for another model?",
                assertThrows(WeightsException.class, () -> p.load(other, "o")).getMessage());
    }
}
