package io.vecraft.cli;

import io.vecraft.api.NotFoundException;
import io.vecraft.api.Vecraft;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --data} option every command takes, and opening the database there. Not thread-safe.
 */
final class DataDirectory {
    @Option(names = {"-d", "--data"}, required = true, paramLabel = "DIR", description = "the data directory")
    Path directory;

    /** Created by picocli. */
    DataDirectory() {
    }

    /**
     * @return the database in the directory, which must already hold one
     * @throws NotFoundException if it does not
     */
    Vecraft openExisting() {
        requireExisting();
        return Vecraft.open(directory);
    }

    /** @throws NotFoundException if the directory holds no Vecraft database */
    void requireExisting() {
        if (!Files.isRegularFile(directory.resolve("vecraft.meta"))) {
            throw new NotFoundException("Vecraft data directory", directory + " (no vecraft.meta there)");
        }
    }
}
