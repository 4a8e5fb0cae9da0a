package io.vecraft.api;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;

/**
 * Where a snapshot is written (see {@link Vecraft#snapshot(SnapshotDestination)}). The database
 * creates every file through {@link #create}, then calls {@link #commit} with the manifest last:
 * a destination must make the files durable before the manifest, so a snapshot without a
 * manifest is known incomplete. {@link #directory(Path)} is the local-directory implementation;
 * other stores (object storage) implement the same three calls.
 *
 * <p>Implementations are used by one thread at a time.
 */
public interface SnapshotDestination {

    /** Name of the manifest file a snapshot is committed with. */
    String MANIFEST = "SNAPSHOT";

    /**
     * @param directory an absent or empty directory
     * @return the local-directory destination
     */
    static SnapshotDestination directory(Path directory) {
        return new DirectorySnapshotDestination(directory);
    }

    /** @return a description for messages and {@link SnapshotInfo#location()} */
    String describe();

    /**
     * Creates a new file. The caller writes it (it may skip ranges by moving the position, which
     * leaves holes of zeros) and closes the channel.
     *
     * @param relativePath path with {@code /} separators, no {@code ..}
     * @return a channel positioned at 0
     * @throws IOException if it cannot be created (or exists)
     */
    SeekableByteChannel create(String relativePath) throws IOException;

    /**
     * Makes every created file durable, then writes the manifest durably; the snapshot is complete
     * once this returns.
     *
     * @param manifest manifest bytes (see the snapshot format in vecraft-core's FORMAT-SNAPSHOT.md)
     * @throws IOException on failure (the snapshot is then incomplete)
     */
    void commit(byte[] manifest) throws IOException;

    /** Removes what was written after a failure (best effort). */
    void abort();
}
