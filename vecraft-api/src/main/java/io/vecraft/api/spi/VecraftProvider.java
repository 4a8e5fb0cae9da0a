package io.vecraft.api.spi;

import io.vecraft.api.RestorePoint;
import io.vecraft.api.RestoreReport;
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

    /**
     * Restores a snapshot (see {@link Vecraft#restore(Path, Path, RestorePoint)}).
     *
     * @param snapshot the snapshot directory
     * @param target   the new data directory
     * @param point    where to stop
     * @return what was restored
     */
    default RestoreReport restore(Path snapshot, Path target, RestorePoint point) {
        throw new VecraftException("the engine " + getClass().getName() + " cannot restore snapshots");
    }

    /**
     * Checks a snapshot (see {@link Vecraft#verifySnapshot(Path)}).
     *
     * @param snapshot the snapshot directory
     * @return the findings
     */
    default VerifyReport verifySnapshot(Path snapshot) {
        throw new VecraftException("the engine " + getClass().getName() + " cannot verify snapshots");
    }
}
