package io.vecraft.core;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.Transaction;
import io.vecraft.api.WriteOptions;
import io.vecraft.cluster.spi.wal.OpGroup;
import io.vecraft.cluster.spi.wal.WalOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects a transaction's write set, validating each operation as it is added, then commits it
 * as one entry in the transaction partition.
 *
 * <p>Not thread-safe: confined to the thread running the transaction body.
 */
final class TransactionBuilder implements Transaction {
    /** Most operations in one transaction. */
    static final int MAX_OPERATIONS = 1_000_000;

    private final AbstractVecraft db;
    private final Map<Long, CollectionRuntime> runtimes = new LinkedHashMap<>();
    private final List<WalOp> ops = new ArrayList<>();
    private final List<long[]> keys = new ArrayList<>();
    private boolean committed;

    TransactionBuilder(AbstractVecraft db) {
        this.db = db;
    }

    @Override
    public Transaction upsert(String collection, Record record) {
        checkNotCommitted();
        CollectionRuntime rt = db.runtime(collection);
        if (record == null) {
            throw new InvalidArgumentException("transaction[" + ops.size() + "].record", "must not be null");
        }
        add(rt, EmbeddedCollection.toUpsert(rt.spec(), record, "transaction[" + ops.size() + "].record"));
        return this;
    }

    @Override
    public Transaction delete(String collection, String id) {
        checkNotCommitted();
        CollectionRuntime rt = db.runtime(collection);
        try {
            Record.checkId(id);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException("transaction[" + ops.size() + "].id", e.getMessage());
        }
        add(rt, new WalOp.Delete(id));
        return this;
    }

    private void add(CollectionRuntime rt, WalOp op) {
        if (ops.size() >= MAX_OPERATIONS) {
            throw new InvalidArgumentException("transaction", "must have at most " + MAX_OPERATIONS + " operations");
        }
        runtimes.putIfAbsent(rt.uid(), rt);
        ops.add(op);
        keys.add(new long[] {rt.uid(), rt.shardOf(op.id())});
    }

    @Override
    public int size() {
        return ops.size();
    }

    private void checkNotCommitted() {
        if (committed) {
            throw new IllegalStateException("transaction already committed; use it only inside its body");
        }
    }

    Receipt commit(WriteOptions options) {
        checkNotCommitted();
        committed = true;
        if (ops.isEmpty()) {
            throw new InvalidArgumentException("transaction", "has no operations");
        }
        List<OpGroup> groups = AbstractVecraft.group(keys, ops);
        List<CollectionRuntime> entered = new ArrayList<>(runtimes.size());
        try {
            for (CollectionRuntime rt : runtimes.values()) {
                db.enter(rt);
                entered.add(rt);
            }
            return db.write(groups, runtimes, true, options);
        } finally {
            for (CollectionRuntime rt : entered) {
                rt.exit();
            }
        }
    }
}
