package io.vecraft.core;

import io.vecraft.api.Consistency;
import io.vecraft.api.Hlc;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;
import io.vecraft.api.Record;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.SearchResult;
import io.vecraft.api.VecraftException;
import io.vecraft.storage.Include;
import io.vecraft.storage.ShardHit;
import io.vecraft.storage.ShardSearch;
import io.vecraft.storage.StoredVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * The read side (seed: Query-Processor): chooses one snapshot time T for a read from its
 * consistency level, waits (bounded) until every involved shard's safe time reaches what the
 * level needs, then searches every shard at T and merges their top-k.
 *
 * <p>Snapshot rules (DESIGN.md §6): EVENTUAL reads at the minimum safe time of the involved
 * shards, never waiting; BOUNDED(d) waits until that minimum is at least now - d;
 * READ_YOUR_WRITES waits until it covers the session's last write; STRONG reads at T = now and
 * waits until every involved shard has applied everything up to T; an as-of read uses the given
 * T (waiting if it is in the future) and refuses T older than the version retention.
 *
 * <p>Thread-safe and stateless apart from the shared fan-out pool.
 */
final class QueryProcessor {
    private final AbstractVecraft db;
    private final ExecutorService pool;

    QueryProcessor(AbstractVecraft db, ExecutorService pool) {
        this.db = db;
        this.pool = pool;
    }

    /**
     * @param shards      the shards the read touches
     * @param consistency the level, or null for the database default
     * @param asOf        explicit snapshot time, if any
     * @param what        description for timeout messages
     * @return the snapshot time T at which all {@code shards} are complete
     */
    long snapshot(ShardHandle[] shards, Consistency consistency, OptionalLong asOf, String what) {
        for (ShardHandle s : shards) {
            // A shard whose applier failed (I/O error, full disk) still serves what it applied:
            // reads at or below its safe time work; waits for anything newer fail (awaitSafeTime).
            s.checkCanRead();
        }
        long deadline = System.nanoTime() + db.config().waitTimeout().toNanos();
        if (asOf.isPresent()) {
            long t = asOf.getAsLong();
            long oldest = db.gateway().now() - (db.config().versionRetention().toMillis() << Hlc.LOGICAL_BITS);
            if (t < oldest) {
                throw new InvalidArgumentException("asOf", "HLC " + t + " (" + Hlc.format(t)
                        + ") is older than the version retention window " + db.config().versionRetention()
                        + "; the oldest readable time is " + Hlc.format(oldest));
            }
            awaitAll(shards, t, deadline, what + " as of " + Hlc.format(t));
            return t;
        }
        Consistency c = consistency == null ? db.config().defaultConsistency() : consistency;
        if (c instanceof Consistency.Eventual) {
            return minSafe(shards);
        }
        if (c instanceof Consistency.Strong) {
            long t = db.gateway().now();
            awaitAll(shards, t, deadline, what + " (STRONG)");
            return t;
        }
        long target;
        if (c instanceof Consistency.Bounded b) {
            target = db.gateway().now() - (b.maxStaleness().toMillis() << Hlc.LOGICAL_BITS);
        } else if (c instanceof Consistency.ReadYourWrites r) {
            target = r.session().lastWriteHlc();
        } else {
            throw new InvalidArgumentException("consistency", "unsupported level " + c);
        }
        awaitAll(shards, target, deadline, what + " (" + c + ")");
        return Math.max(target, minSafe(shards));
    }

    private static void awaitAll(ShardHandle[] shards, long hlc, long deadline, String what) {
        for (ShardHandle s : shards) {
            s.requestRefresh(hlc);
        }
        for (ShardHandle s : shards) {
            s.awaitSafeTime(hlc, deadline, what);
        }
    }

    private static long minSafe(ShardHandle[] shards) {
        long min = Long.MAX_VALUE;
        for (ShardHandle s : shards) {
            min = Math.min(min, s.safeTime());
        }
        return min;
    }

    SearchResult search(CollectionRuntime c, SearchRequest request) {
        float[] query = request.vector();
        int dim = c.spec().dimension();
        if (query.length != dim) {
            throw new InvalidArgumentException("search.vector",
                    "dimension must be " + dim + " for collection " + c.name() + ", was " + query.length);
        }
        if (c.spec().metric() == Metric.COSINE && isZero(query)) {
            throw new InvalidArgumentException("search.vector", "must be non-zero for a COSINE collection");
        }
        ShardHandle[] shards = c.shards();
        long[] at = new long[1];
        List<ShardHit> merged = consistentRead(c, shards, request.consistency().orElse(null), request.asOfHlc(),
                "search in " + c.name(), t -> {
                    at[0] = t;
                    ShardSearch ss = new ShardSearch(query, request.k(), request.filter().orElse(null), t,
                            request.ef().orElse(0),
                            new Include(request.includeVector(), request.includeMetadata(), request.includeDocument()));
                    return shards.length == 1 ? shards[0].search(ss) : fanOut(shards, ss);
                });
        long t = at[0];
        List<SearchHit> hits = new ArrayList<>(Math.min(request.k(), merged.size()));
        for (int i = 0; i < merged.size() && i < request.k(); i++) {
            ShardHit h = merged.get(i);
            hits.add(new SearchHit(h.id(), h.distance(), h.createdHlc(), Optional.ofNullable(h.vector()),
                    h.metadata() == null ? Map.of() : h.metadata(), Optional.ofNullable(h.document())));
        }
        return new SearchResult(hits, t);
    }

    private List<ShardHit> fanOut(ShardHandle[] shards, ShardSearch ss) {
        @SuppressWarnings("unchecked")
        CompletableFuture<List<ShardHit>>[] futures = new CompletableFuture[shards.length];
        for (int i = 1; i < shards.length; i++) {
            ShardHandle s = shards[i];
            futures[i] = CompletableFuture.supplyAsync(() -> s.search(ss), pool);
        }
        List<ShardHit> all = new ArrayList<>(shards[0].search(ss));
        for (int i = 1; i < shards.length; i++) {
            try {
                all.addAll(futures[i].get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VecraftException("interrupted during search", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new VecraftException("search on shard " + shards[i].name() + " failed: " + cause, cause);
            }
        }
        all.sort((a, b) -> {
            int cmp = Float.compare(a.distance(), b.distance());
            return cmp != 0 ? cmp : a.id().compareTo(b.id());
        });
        return all;
    }

    Optional<Record> get(CollectionRuntime c, String id, Consistency consistency, OptionalLong asOf) {
        ShardHandle shard = c.shard(c.shardOf(id));
        Optional<StoredVersion> v = consistentRead(c, new ShardHandle[] {shard}, consistency, asOf,
                "get in " + c.name(), t -> shard.get(id, t, Include.ALL));
        return v.map(QueryProcessor::toRecord);
    }

    long count(CollectionRuntime c, Consistency consistency, OptionalLong asOf) {
        ShardHandle[] shards = c.shards();
        return consistentRead(c, shards, consistency, asOf, "count in " + c.name(), t -> {
            long n = 0;
            for (ShardHandle s : shards) {
                n += s.count(t);
            }
            return n;
        });
    }

    /**
     * Picks the snapshot time and reads at it; if the compactor announced a purge above that time
     * meanwhile ({@link CollectionRuntime#purgeFloor()}), the read may have missed versions it should
     * see, so it is repeated at a new time (which the compactor keeps at or above its horizon). A read
     * at an explicit time cannot move: it fails as being outside the version retention.
     */
    private <T> T consistentRead(CollectionRuntime c, ShardHandle[] shards, Consistency consistency,
                                 OptionalLong asOf, String what, java.util.function.LongFunction<T> read) {
        for (int attempt = 1; ; attempt++) {
            long t = snapshot(shards, consistency, asOf, what);
            T result = read.apply(t);
            long floor = c.purgeFloor();
            if (t >= floor) {
                return result;
            }
            if (asOf.isPresent()) {
                throw new InvalidArgumentException("asOf", "HLC " + t + " (" + Hlc.format(t) + ") fell out of the "
                        + "version retention window " + db.config().versionRetention() + " while reading: versions "
                        + "deleted before " + Hlc.format(floor) + " were purged");
            }
            if (attempt == 3) {
                throw new VecraftException(what + " at " + Hlc.format(t) + " overlapped three purges of versions it"
                        + " could see (the collection's shards were compacted meanwhile)");
            }
        }
    }

    static Record toRecord(StoredVersion v) {
        return Record.of(v.id(), v.vector(), v.metadata() == null ? Map.of() : v.metadata(), v.document());
    }

    private static boolean isZero(float[] v) {
        for (float x : v) {
            if (x != 0f) {
                return false;
            }
        }
        return true;
    }
}
