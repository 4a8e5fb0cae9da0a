package io.vecraft.storage;

/**
 * One file (or file prefix) of a shard's published checkpoint, as {@link Shard#checkpointFiles()}
 * lists it for a consistent copy (snapshots).
 *
 * @param path   path relative to the shard directory, with {@code /} separators
 * @param length bytes to copy from the start of the file: the whole file for checkpoint files, the
 *               prefix the checkpoint covers for the vector store and the payload log
 */
public record ShardFile(String path, long length) {
}
