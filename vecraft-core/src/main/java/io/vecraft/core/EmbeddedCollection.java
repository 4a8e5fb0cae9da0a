package io.vecraft.core;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.RecordVersion;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.WriteOptions;
import io.vecraft.cluster.spi.wal.OpGroup;
import io.vecraft.cluster.spi.wal.WalOp;
import io.vecraft.core.metrics.OperationStats;
import io.vecraft.storage.StoredVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A handle on one collection. Validates input at the edge (dimension, non-zero COSINE vectors,
 * sizes) so nothing invalid reaches the journal, routes writes and delegates reads to the
 * {@link QueryProcessor}.
 *
 * <p>Thread-safe. A handle stays bound to the collection incarnation it was obtained for: after
 * a drop (even if a collection with the same name is created again) it throws
 * {@link io.vecraft.api.NotFoundException}.
 */
final class EmbeddedCollection implements Collection {
    private final AbstractVecraft db;
    private final CollectionRuntime rt;

    EmbeddedCollection(AbstractVecraft db, CollectionRuntime rt) {
        this.db = db;
        this.rt = rt;
    }

    @Override
    public String name() {
        return rt.name();
    }

    @Override
    public CollectionSpec spec() {
        return rt.spec();
    }

    @Override
    public Receipt upsert(Record record, WriteOptions options) {
        if (record == null) {
            throw new InvalidArgumentException("record", "must not be null");
        }
        return upsert(List.of(record), options);
    }

    @Override
    public Receipt upsert(List<Record> records, WriteOptions options) {
        checkOptions(options);
        if (records == null || records.isEmpty()) {
            throw new InvalidArgumentException("records", "must hold at least one record");
        }
        List<WalOp> ops = new ArrayList<>(records.size());
        List<long[]> keys = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            String field = records.size() == 1 ? "record" : "records[" + i + "]";
            if (r == null) {
                throw new InvalidArgumentException(field, "must not be null");
            }
            ops.add(toUpsert(rt.spec(), r, field));
            keys.add(new long[] {rt.uid(), rt.shardOf(r.id())});
        }
        return write(keys, ops, options);
    }

    @Override
    public Receipt delete(List<String> ids, WriteOptions options) {
        checkOptions(options);
        if (ids == null || ids.isEmpty()) {
            throw new InvalidArgumentException("ids", "must hold at least one id");
        }
        List<WalOp> ops = new ArrayList<>(ids.size());
        List<long[]> keys = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            try {
                Record.checkId(id);
            } catch (InvalidArgumentException e) {
                throw new InvalidArgumentException(ids.size() == 1 ? "id" : "ids[" + i + "]", e.getMessage());
            }
            ops.add(new WalOp.Delete(id));
            keys.add(new long[] {rt.uid(), rt.shardOf(id)});
        }
        return write(keys, ops, options);
    }

    private Receipt write(List<long[]> keys, List<WalOp> ops, WriteOptions options) {
        List<OpGroup> groups = AbstractVecraft.group(keys, ops);
        db.enter(rt);
        try {
            return db.write(groups, Map.of(rt.uid(), rt), false, options);
        } finally {
            rt.exit();
        }
    }

    @Override
    public Optional<Record> get(String id, ReadOptions options) {
        Record.checkId(id);
        if (options == null) {
            throw new InvalidArgumentException("options", "must not be null");
        }
        db.enter(rt);
        try {
            return db.timed(OperationStats.GET,
                    () -> db.queries().get(rt, id, options.consistency().orElse(null), options.asOfHlc()));
        } finally {
            rt.exit();
        }
    }

    @Override
    public SearchResult search(SearchRequest request) {
        if (request == null) {
            throw new InvalidArgumentException("request", "must not be null");
        }
        db.enter(rt);
        try {
            return db.timed(OperationStats.SEARCH, () -> db.queries().search(rt, request));
        } finally {
            rt.exit();
        }
    }

    @Override
    public long count(ReadOptions options) {
        if (options == null) {
            throw new InvalidArgumentException("options", "must not be null");
        }
        db.enter(rt);
        try {
            return db.timed(OperationStats.COUNT,
                    () -> db.queries().count(rt, options.consistency().orElse(null), options.asOfHlc()));
        } finally {
            rt.exit();
        }
    }

    @Override
    public List<RecordVersion> history(String id) {
        Record.checkId(id);
        db.enter(rt);
        try {
            List<StoredVersion> versions = rt.shard(rt.shardOf(id)).history(id);
            List<RecordVersion> out = new ArrayList<>(versions.size());
            for (StoredVersion v : versions) {
                boolean upsert = v.op() == StoredVersion.Op.UPSERT;
                Optional<Record> content = upsert && v.vector() != null
                        ? Optional.of(QueryProcessor.toRecord(v)) : Optional.empty();
                out.add(new RecordVersion(v.id(), upsert ? RecordVersion.Operation.UPSERT
                        : RecordVersion.Operation.DELETE, v.createdHlc(), db.partitionName(v.partitionId()),
                        v.sequence(), v.requestId(), v.transactionId(), content,
                        upsert ? v.deletedHlc() : v.createdHlc()));
            }
            return List.copyOf(out);
        } finally {
            rt.exit();
        }
    }

    /**
     * Validates a record against a collection and turns it into an upsert op.
     *
     * @param spec  the collection's spec
     * @param r     the record
     * @param field field name for errors
     * @return the op
     */
    static WalOp.Upsert toUpsert(CollectionSpec spec, Record r, String field) {
        if (r.dimension() != spec.dimension()) {
            throw new InvalidArgumentException(field + ".vector", "dimension must be " + spec.dimension()
                    + " for collection " + spec.name() + ", was " + r.dimension());
        }
        float[] v = r.vector();
        if (spec.metric() == Metric.COSINE) {
            boolean zero = true;
            for (float x : v) {
                if (x != 0f) {
                    zero = false;
                    break;
                }
            }
            if (zero) {
                throw new InvalidArgumentException(field + ".vector", "must be non-zero for a COSINE collection");
            }
        }
        return new WalOp.Upsert(r.id(), v, r.metadata(), r.document().orElse(null));
    }

    private static void checkOptions(WriteOptions options) {
        if (options == null) {
            throw new InvalidArgumentException("options", "must not be null");
        }
    }

    @Override
    public String toString() {
        return "Collection[" + rt.name() + "]";
    }
}
