package io.vecraft.storage;

import java.nio.file.Path;
import java.util.Map;

/**
 * A published checkpoint.
 *
 * @param directory        the checkpoint directory
 * @param appliedSequences applied sequence per partition id captured in it
 * @param versions         number of versions in it
 * @param bytes            bytes written
 * @param nanos            time taken
 */
public record CheckpointInfo(Path directory, Map<Integer, Long> appliedSequences, long versions, long bytes,
                             long nanos) {
}
