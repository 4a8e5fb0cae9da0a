package io.vecraft.api;

import java.util.List;

/**
 * The write set of an atomic transaction across collections and shards, filled in by the
 * function passed to {@link Vecraft#transaction}. Nothing is written until the function returns;
 * then the whole set becomes one journal entry, applied by every shard at one HLC, so a snapshot
 * read sees all of it or none of it. If the function throws, nothing is written.
 *
 * <p>Not thread-safe: use it only inside the function, from its thread.
 */
public interface Transaction {

    /**
     * @param collection collection name
     * @param record     record to insert or replace
     * @return this transaction
     * @throws NotFoundException        if the collection does not exist
     * @throws InvalidArgumentException on bad input
     */
    Transaction upsert(String collection, Record record);

    /**
     * @param collection collection name
     * @param records    records to insert or replace
     * @return this transaction
     */
    default Transaction upsert(String collection, List<Record> records) {
        for (Record r : records) {
            upsert(collection, r);
        }
        return this;
    }

    /**
     * @param collection collection name
     * @param id         record id to delete
     * @return this transaction
     */
    Transaction delete(String collection, String id);

    /** @return the number of operations so far */
    int size();
}
