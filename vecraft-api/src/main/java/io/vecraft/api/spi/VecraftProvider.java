package io.vecraft.api.spi;

import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;

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
}
