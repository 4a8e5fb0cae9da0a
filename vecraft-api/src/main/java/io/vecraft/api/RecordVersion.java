package io.vecraft.api;

import java.util.Optional;

/**
 * One operation in a record's history (lineage).
 *
 * @param id            record id
 * @param operation     what happened
 * @param hlc           when (the operation's HLC)
 * @param partition     journal partition of the operation
 * @param sequence      journal sequence of the operation
 * @param requestId     request id of the operation
 * @param transactionId transaction id, 0 for none
 * @param record        the record written, for {@link Operation#UPSERT}; empty for deletes or
 *                      when the content was purged
 * @param supersededHlc when this version stopped being current ({@link Long#MAX_VALUE} if still
 *                      current; equal to {@code hlc} for deletes)
 */
public record RecordVersion(String id, Operation operation, long hlc, String partition, long sequence,
                            String requestId, long transactionId, Optional<Record> record, long supersededHlc) {

    /** Kind of operation. */
    public enum Operation {
        /** The record was written (inserted or replaced). */
        UPSERT,
        /** The record was deleted. */
        DELETE
    }

    /** @return true if this version is the current one */
    public boolean isCurrent() {
        return operation == Operation.UPSERT && supersededHlc == Long.MAX_VALUE;
    }
}
