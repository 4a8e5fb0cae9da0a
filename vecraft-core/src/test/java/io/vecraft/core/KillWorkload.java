package io.vecraft.core;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The write workload of the kill harness, shared by the child that runs it ({@link KillChild}) and the parent
 * that checks it ({@link KillTest}): the collections, the operations and the exact content every operation
 * writes, derived from its tag alone, so the parent can recompute what each acknowledged write stored.
 *
 * <p>Protocol (one line each, on the child's standard output, flushed): {@code READY} after open;
 * {@code BEGIN <thread> <tag> <op> <op> ...} before an operation is submitted, where each op is
 * {@code U:<collection>:<id>} (upsert) or {@code D:<collection>:<id>} (delete), and
 * {@code ACK <thread> <tag> <partition> <sequence> <hlc>} after it returned (the receipt). An operation is one
 * upsert, one delete, one multi-record upsert (one journal entry) or one transaction across both collections.
 * Each thread writes only its own ids, so an operation without ACK can only be the last one of its thread.
 *
 * <p>Stateless; thread-safe.
 */
final class KillWorkload {
    static final int DIMENSION = 8;
    /** HNSW collection, two shards. */
    static final String HNSW = "hnsw";
    /** Exact-index collection, two shards. */
    static final String EXACT = "exact";
    static final List<String> COLLECTIONS = List.of(HNSW, EXACT);
    static final int IDS_PER_THREAD = 40;

    private KillWorkload() {
    }

    static List<CollectionSpec> specs() {
        return List.of(CollectionSpec.of(HNSW, DIMENSION).withIndex(IndexSpec.hnsw(8, 64, 64)).withShards(2),
                CollectionSpec.of(EXACT, DIMENSION).withIndex(IndexSpec.exact()).withShards(2));
    }

    /** One record operation inside a workload operation. */
    record Op(boolean upsert, String collection, String id) {
        String encode() {
            return (upsert ? "U:" : "D:") + collection + ":" + id;
        }

        static Op decode(String s) {
            String[] f = s.split(":", 3);
            return new Op(f[0].equals("U"), f[1], f[2]);
        }
    }

    /** Kinds of workload operation. */
    enum Kind { UPSERT, DELETE, BATCH, TRANSACTION }

    /**
     * Chooses the next operation of a thread.
     *
     * @return the kind and its record operations (distinct (collection, id) pairs)
     */
    static Map.Entry<Kind, List<Op>> next(SplittableRandom rnd, int thread) {
        int r = rnd.nextInt(100);
        Kind kind = r < 40 ? Kind.UPSERT : r < 55 ? Kind.DELETE : r < 70 ? Kind.BATCH : Kind.TRANSACTION;
        List<Op> ops = new ArrayList<>();
        String coll = COLLECTIONS.get(rnd.nextInt(2));
        switch (kind) {
            case UPSERT -> ops.add(new Op(true, coll, id(rnd, thread)));
            case DELETE -> ops.add(new Op(false, coll, id(rnd, thread)));
            case BATCH -> {
                while (ops.size() < 3) {
                    Op op = new Op(true, coll, id(rnd, thread));
                    if (ops.stream().noneMatch(o -> o.id().equals(op.id()))) {
                        ops.add(op);
                    }
                }
            }
            case TRANSACTION -> {
                int n = 2 + rnd.nextInt(3);
                while (ops.size() < n) {
                    String c = ops.isEmpty() ? HNSW : ops.size() == 1 ? EXACT : COLLECTIONS.get(rnd.nextInt(2));
                    Op op = new Op(rnd.nextInt(4) != 0, c, id(rnd, thread));
                    if (ops.stream().noneMatch(o -> o.collection().equals(op.collection()) && o.id().equals(op.id()))) {
                        ops.add(op);
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
        return Map.entry(kind, ops);
    }

    private static String id(SplittableRandom rnd, int thread) {
        return "t" + thread + "-" + rnd.nextInt(IDS_PER_THREAD);
    }

    /**
     * @param tag   the operation's tag (unique over the whole test)
     * @param index position of the record operation inside the operation
     * @param id    record id
     * @return the record an upsert with this tag and index writes
     */
    static Record record(String tag, int index, String id) {
        return Record.of(id, vector(tag, index), Map.of("tag", tag, "i", (long) index), "doc " + tag + "/" + index);
    }

    static float[] vector(String tag, int index) {
        SplittableRandom r = new SplittableRandom((tag + "/" + index).hashCode() * 0x9E3779B97F4A7C15L);
        float[] v = new float[DIMENSION];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
