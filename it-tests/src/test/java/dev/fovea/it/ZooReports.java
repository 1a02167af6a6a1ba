package dev.fovea.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Reads what the processor wrote into the zoo's jar: the index of networks and each one's report. */
final class ZooReports {
    private ZooReports() {}

    static List<String> networks() {
        return read("META-INF/fovea/index.txt").lines().filter(l -> !l.isBlank()).toList();
    }

    static JsonObject report(String qualifiedName) {
        return JsonParser.parseString(read("META-INF/fovea/" + qualifiedName + ".json")).getAsJsonObject();
    }

    static JsonObject zoo(String simpleName) {
        return report("dev.fovea.zoo." + simpleName);
    }

    static JsonObject layer(JsonObject report, String name) {
        for (var l : report.getAsJsonArray("layers")) {
            if (l.getAsJsonObject().get("name").getAsString().equals(name)) {
                return l.getAsJsonObject();
            }
        }
        throw new AssertionError("no layer " + name + " in " + report.get("name").getAsString());
    }

    static String shape(JsonObject layer) {
        StringBuilder sb = new StringBuilder();
        for (var d : layer.getAsJsonArray("output")) {
            sb.append(sb.isEmpty() ? "" : "x").append(d.getAsInt());
        }
        return sb.toString();
    }

    private static String read(String resource) {
        try (InputStream in = ZooReports.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("missing resource " + resource + " (is the zoo compiled with the processor?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
