package io.vecraft.journal;

import io.vecraft.api.VecraftException;

import java.nio.file.Path;

/**
 * The journal directory is already open for writing: by another process, or by another
 * {@link Journal} in this JVM. Chronicle Queue itself would let both append and interleave their
 * entries, so the journal holds an exclusive OS file lock ({@code journal.lock}) while open.
 * Close the other instance, or open with {@link JournalConfig.Builder#withReadOnly(boolean)} to
 * inspect it.
 */
public class JournalLockedException extends VecraftException {
    private static final long serialVersionUID = 1L;

    /**
     * @param lockFile the lock file that is held
     * @param cause    the lock failure, if any
     */
    public JournalLockedException(Path lockFile, Throwable cause) {
        super("journal " + lockFile.getParent() + " is already open for writing by another process or another "
                + "Journal in this JVM (the exclusive lock on " + lockFile + " is held); close it first, or open "
                + "read-only to inspect", cause);
    }
}
