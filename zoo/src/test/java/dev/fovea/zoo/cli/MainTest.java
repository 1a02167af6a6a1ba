package dev.fovea.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The fovea command as a user meets it: output, one-line errors, and exit codes. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listShowsEveryNetworkWithItsFigures() {
        assertEquals(0, run("list"));
        assertTrue(out().contains("Vgg16                    3x224x224        138,357,544     15.470"), out());
        assertTrue(out().contains("SeedAlexNet              3x227x227         62,378,344      1.135"), out());
    }

    @Test
    void summaryFindsModelsWhateverTheCase() {
        assertEquals(0, run("summary", "VGG16"));
        assertTrue(out().startsWith("Vgg16 (input 3x224x224)"), out());
        assertTrue(out().contains("Params:                138,357,544"), out());
    }

    @Test
    void summaryAsJsonIsTheReport() {
        assertEquals(0, run("summary", "seedzfnet", "--json"));
        assertTrue(out().contains("\"params\": 386548840"), out());
    }

    @Test
    void unknownModelSuggestsTheClosestAndExitsTwo() {
        assertEquals(2, run("summary", "vgg61"));
        assertTrue(err().startsWith("fovea: no model 'vgg61' in the zoo; closest: "), err());
        assertTrue(err().contains("Vgg16"), err());
        assertEquals(1, err().lines().count(), err());
        assertEquals("", out());
    }

    @Test
    void usageMistakesAreOneLineAndExitTwo() {
        assertEquals(2, run());
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("summary"));
        assertEquals(2, run("list", "extra"));
        assertEquals(4, err().lines().count(), err());
        assertTrue(err().lines().allMatch(l -> l.startsWith("fovea: ")), err());
    }

    @Test
    void helpListsTheCommands() {
        assertEquals(0, run("help"));
        assertTrue(out().contains("summary MODEL [--json]"), out());
        assertEquals(0, run("summary", "--help"));
    }
}
