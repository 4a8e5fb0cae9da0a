package io.vecraft.api;

import java.util.List;

/**
 * One entry of the audit stream ({@link AuditLog}): a write as the journal recorded it.
 *
 * @param partition     journal partition name
 * @param sequence      sequence within the partition
 * @param hlc           the write's HLC
 * @param requestId     request id
 * @param transactionId transaction id, 0 for none
 * @param operations    the operations, in order; unmodifiable
 */
public record JournalRecord(String partition, long sequence, long hlc, String requestId, long transactionId,
                            List<Operation> operations) {

    /** Copies the operations. */
    public JournalRecord {
        operations = List.copyOf(operations);
    }

    /** One operation inside a journal entry. */
    public sealed interface Operation {
    }

    /**
     * A record was inserted or replaced.
     *
     * @param collection collection name
     * @param record     the record
     */
    public record Upsert(String collection, Record record) implements Operation {
    }

    /**
     * A record was deleted.
     *
     * @param collection collection name
     * @param id         record id
     */
    public record Delete(String collection, String id) implements Operation {
    }

    /**
     * A collection was created.
     *
     * @param spec its spec
     */
    public record CreateCollection(CollectionSpec spec) implements Operation {
    }

    /**
     * A collection was dropped.
     *
     * @param name its name
     */
    public record DropCollection(String name) implements Operation {
    }
}
