package io.vecraft.api;

import java.util.List;
import java.util.Optional;

/**
 * A named set of records with one vector dimension and metric, split into shards.
 *
 * <p>Writes go through the journal and return a {@link Receipt}; by default
 * ({@link AckLevel#APPLIED}) they return once every shard they touch has applied them. A write of
 * several records ({@link #upsert(List)}, {@link #delete(List)}) is atomic: a snapshot read sees
 * all of it or none of it.
 *
 * <p>Thread-safe. A collection handle becomes unusable ({@link VecraftClosedException} or
 * {@link NotFoundException}) after the database closes or the collection is dropped.
 */
public interface Collection {

    /** @return the collection's name */
    String name();

    /** @return the collection's spec (with the resolved shard count) */
    CollectionSpec spec();

    /**
     * Inserts or replaces one record.
     *
     * @param record the record; its dimension must match the collection's
     * @return the receipt
     * @throws InvalidArgumentException on bad input (nothing written)
     */
    default Receipt upsert(Record record) {
        return upsert(record, WriteOptions.defaults());
    }

    /**
     * @param record  the record
     * @param options request id, session, ack level
     * @return the receipt
     */
    Receipt upsert(Record record, WriteOptions options);

    /**
     * Inserts or replaces records atomically (one journal entry).
     *
     * @param records 1 or more records with distinct ids
     * @return the receipt
     * @throws InvalidArgumentException on bad input, naming the record index (nothing written)
     */
    default Receipt upsert(List<Record> records) {
        return upsert(records, WriteOptions.defaults());
    }

    /**
     * @param records the records
     * @param options request id, session, ack level
     * @return the receipt
     */
    Receipt upsert(List<Record> records, WriteOptions options);

    /**
     * Reads the current version of a record with the database's default consistency.
     *
     * @param id record id
     * @return the record, or empty if absent or deleted
     */
    default Optional<Record> get(String id) {
        return get(id, ReadOptions.defaults());
    }

    /**
     * @param id      record id
     * @param options consistency level and as-of time
     * @return the record visible at the read's snapshot, or empty
     */
    Optional<Record> get(String id, ReadOptions options);

    /**
     * Deletes a record (a no-op apart from its journal entry if absent).
     *
     * @param id record id
     * @return the receipt
     */
    default Receipt delete(String id) {
        return delete(List.of(id), WriteOptions.defaults());
    }

    /**
     * Deletes records atomically.
     *
     * @param ids 1 or more ids
     * @return the receipt
     */
    default Receipt delete(List<String> ids) {
        return delete(ids, WriteOptions.defaults());
    }

    /**
     * @param ids     record ids
     * @param options request id, session, ack level
     * @return the receipt
     */
    Receipt delete(List<String> ids, WriteOptions options);

    /**
     * Nearest-neighbour search over every shard at one snapshot time, top-k merged.
     *
     * @param request the query
     * @return the hits and the snapshot time
     * @throws InvalidArgumentException     on a wrong dimension or bad filter
     * @throws VecraftTimeoutException      if the consistency wait times out
     */
    SearchResult search(SearchRequest request);

    /** @return the number of live records at the default consistency */
    default long count() {
        return count(ReadOptions.defaults());
    }

    /**
     * @param options consistency level and as-of time
     * @return the number of records visible at the read's snapshot
     */
    long count(ReadOptions options);

    /**
     * Lineage: every retained operation on {@code id}, oldest first, with HLC, journal position,
     * request id and transaction id. Versions older than the retention window may have been purged.
     *
     * @param id record id
     * @return the operations, empty if none
     */
    List<RecordVersion> history(String id);
}
