package io.vecraft.core;

import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VerifyReport;
import java.nio.file.Path;
import io.vecraft.api.spi.VecraftProvider;

/**
 * The embedded engine behind {@link Vecraft#open(VecraftConfig)}, registered with
 * {@link java.util.ServiceLoader}. Applications call {@code Vecraft.open}, not this class.
 *
 * <p>Thread-safe and stateless.
 */
public final class VecraftEngine implements VecraftProvider {

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public VecraftEngine() {
    }

    @Override
    public Vecraft open(VecraftConfig config) {
        return config.cluster().isPresent() ? ClusterVecraft.open(config) : EmbeddedVecraft.open(config);
    }

    @Override
    public VerifyReport verify(Path directory) {
        return DirectoryVerifier.verify(directory);
    }

    @Override
    public io.vecraft.api.RestoreReport restore(Path snapshot, Path target, io.vecraft.api.RestorePoint point) {
        return Snapshots.restore(snapshot, target, point);
    }

    @Override
    public VerifyReport verifySnapshot(Path snapshot) {
        return Snapshots.verify(snapshot);
    }
}
