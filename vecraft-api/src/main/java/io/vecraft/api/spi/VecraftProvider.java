package io.vecraft.api.spi;

import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VerifyReport;
import java.nio.file.Path;

/**
 * The engine behind {@link Vecraft#open(VecraftConfig)}, found with {@link java.util.ServiceLoader}.
 * vecraft-core provides the default; applications do not implement it.
 */
public interface VecraftProvider {

    /**
     * @param config the configuration
     * @return an open database
     */
    Vecraft open(VecraftConfig config);

    /**
     * Checks a closed database directory without changing it (see {@link Vecraft#verify(Path)}).
     *
     * @param directory the data directory
     * @return the findings
     */
    default VerifyReport verify(Path directory) {
        throw new VecraftException("the engine " + getClass().getName() + " cannot verify data directories");
    }
}
