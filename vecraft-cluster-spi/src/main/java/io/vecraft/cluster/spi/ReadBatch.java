package io.vecraft.cluster.spi;

import java.util.List;

/**
 * Result of {@link JournalService#read}.
 *
 * @param entries   committed entries, in sequence order
 * @param watermark the partition's watermark when the batch was taken
 */
public record ReadBatch(List<EntryMessage> entries, Watermark watermark) {
    /** Copies the entries. */
    public ReadBatch {
        entries = List.copyOf(entries);
    }
}
