package dev.fovea.zoo.cli;

import dev.fovea.zoo.Zoo;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks of a user's compiled project ({@code --classpath target/classes} or its jar) beside the
 * zoo's: a class loader over the project's classes whose parent holds the zoo and the runtime.
 */
final class UserNetworks {
    private UserNetworks() {}

    static Zoo zoo(String classpath) throws UsageException {
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path p = Path.of(entry);
            if (!Files.exists(p)) {
                throw new UsageException("--classpath " + entry + ": no such file or directory");
            }
            try {
                urls.add(p.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new UsageException("--classpath " + entry + ": " + e.getMessage());
            }
        }
        URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), Zoo.class.getClassLoader());
        try {
            if (!loader.findResources(dev.fovea.zoo.Zoo.INDEX).hasMoreElements()) {
                throw new UsageException("--classpath " + classpath + ": holds no Fovea networks (no " + Zoo.INDEX
                        + "; compile the project with Fovea's annotation processor)");
            }
        } catch (java.io.IOException e) {
            throw new UsageException("--classpath " + classpath + ": cannot read: " + e.getMessage());
        }
        return Zoo.load(loader);
    }
}
