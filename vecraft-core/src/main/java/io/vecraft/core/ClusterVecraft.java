package io.vecraft.core;

import io.vecraft.api.AlreadyExistsException;
import io.vecraft.api.ClusterConfig;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VecraftException;
import io.vecraft.cluster.spi.CatalogKeys;
import io.vecraft.cluster.spi.Cluster;
import io.vecraft.cluster.spi.ClusterOptions;
import io.vecraft.cluster.spi.ClusterProvider;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.ShardId;
import io.vecraft.cluster.spi.ShardReplica;
import io.vecraft.cluster.spi.VersionConflictException;
import io.vecraft.cluster.spi.wal.CreateCollectionEntry;
import io.vecraft.cluster.spi.wal.DropCollectionEntry;
import io.vecraft.cluster.spi.wal.WalCodec;
import io.vecraft.cluster.spi.wal.WalTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database in cluster mode (seed: API-Gateway + Query-Processor): the same public API,
 * write path and query processor as embedded mode, over a {@link Cluster} from a
 * {@link ClusterProvider}. Writes go to the journal service of their partition; storage nodes
 * ({@link ReplicaHost}) stream and apply them; reads fan out to one live replica per shard at one
 * snapshot time and merge top-k.
 *
 * <p>The catalog lives in the metadata store ({@link CatalogKeys}); DDL is also journaled in the
 * system partition (lineage). Replica placement: replica r of shard s goes to storage node
 * {@code (s + r) mod N} (round robin), with {@code replicas} (provider setting, default 2) copies.
 *
 * <p>Thread-safe.
 */
final class ClusterVecraft extends AbstractVecraft {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterVecraft.class);

    private final Cluster cluster;
    private final RemoteJournalGateway gateway;
    private final PartitionLayout layout;
    private final int replicas;

    private ClusterVecraft(VecraftConfig config, Cluster cluster, int replicas) {
        super(config);
        this.cluster = cluster;
        this.gateway = new RemoteJournalGateway(cluster.journal());
        this.layout = new PartitionLayout(gateway.partitionNames().size() - PartitionLayout.FIRST_DATA_ID);
        this.replicas = replicas;
    }

    static ClusterVecraft open(VecraftConfig config) {
        ClusterConfig cc = config.cluster().orElseThrow();
        ClusterProvider provider = null;
        List<String> found = new ArrayList<>();
        for (ClusterProvider p : ServiceLoader.load(ClusterProvider.class, ClusterVecraft.class.getClassLoader())) {
            found.add(p.name());
            if (p.name().equals(cc.provider())) {
                provider = p;
            }
        }
        if (provider == null) {
            throw new InvalidArgumentException("cluster.provider", "no cluster provider named '" + cc.provider()
                    + "' on the class path (found " + found + ")");
        }
        if (provider.spiVersion() != ClusterProvider.SPI_VERSION) {
            throw new VecraftException("cluster provider " + provider.name() + " implements SPI version "
                    + provider.spiVersion() + ", this Vecraft needs " + ClusterProvider.SPI_VERSION);
        }
        Map<String, String> settings = new TreeMap<>(cc.settings());
        settings.putIfAbsent("dataPartitions", Integer.toString(config.dataPartitions()));
        settings.putIfAbsent("durability", config.durability().toString());
        settings.putIfAbsent("tickMillis", Long.toString(config.tickInterval().toMillis()));
        settings.putIfAbsent("checkpointMillis", Long.toString(config.checkpointInterval().toMillis()));
        ClusterOptions options = new ClusterOptions(config.directory(), settings);
        int replicas = options.intSetting("replicas", 2, 1, 16);
        Cluster cluster = provider.open(options);
        ClusterVecraft db = null;
        try {
            db = new ClusterVecraft(config, cluster, replicas);
            db.loadCatalog();
            LOG.info("opened cluster database via provider {} ({} storage nodes, {} replicas per shard, {} collections)",
                    provider.name(), cluster.storageNodes().size(), replicas, db.collections().size());
            return db;
        } catch (RuntimeException e) {
            if (db != null) {
                db.close();
            } else {
                cluster.close();
            }
            throw e;
        }
    }

    @Override
    JournalGateway gateway() {
        return gateway;
    }

    @Override
    PartitionLayout layout() {
        return layout;
    }

    /** @return the cluster (fault injection in tests) */
    Cluster cluster() {
        return cluster;
    }

    private void loadCatalog() {
        Map<String, CollectionRuntime> running = new TreeMap<>();
        for (MetadataStore.KeyValue kv : cluster.metadata().list(CatalogKeys.COLLECTIONS)) {
            CatalogKeys.CatalogEntry ce = CatalogKeys.decodeCollection(kv.key(), kv.value());
            CollectionRuntime rt = runtimeFor(ce.uid(), ce.entry());
            running.put(rt.name(), rt);
            namesByUid.put(ce.uid(), rt.name());
        }
        synchronized (catalogLock) {
            publishCollections(running);
        }
        // Wait until every shard has a live replica hosting it; catching up with the journal
        // continues in the background (STRONG reads wait for it, EVENTUAL reads do not).
        for (CollectionRuntime rt : running.values()) {
            awaitShards(rt.shards(), rt.uid(), "opening collection " + rt.name());
        }
    }

    private CollectionRuntime runtimeFor(long uid, CreateCollectionEntry entry) {
        CollectionSpec spec = entry.spec();
        ShardHandle[] shards = new ShardHandle[spec.shards()];
        for (int s = 0; s < shards.length; s++) {
            ShardId id = new ShardId(uid, s);
            MetadataStore.KeyValue placement = cluster.metadata().get(CatalogKeys.placement(id))
                    .orElseThrow(() -> new VecraftException("collection " + spec.name() + " shard " + id
                            + " has no placement in the metadata store"));
            List<ShardReplica> rs = new ArrayList<>();
            for (String node : CatalogKeys.decodePlacement(placement.key(), placement.value())) {
                rs.add(cluster.replica(node));
            }
            shards[s] = new RemoteShard(spec.name() + "/" + s, id, rs, cluster.membership(), config.waitTimeout(),
                    gateway);
        }
        return new CollectionRuntime(spec, uid, config.directory(), shards, entry.startSequences());
    }

    @Override
    public Collection createCollection(CollectionSpec spec) {
        checkOpen();
        CollectionSpec resolved = resolve(spec);
        CollectionRuntime rt;
        synchronized (catalogLock) {
            checkOpen();
            if (collections().containsKey(resolved.name())
                    || cluster.metadata().get(CatalogKeys.collection(resolved.name())).isPresent()) {
                throw new AlreadyExistsException("collection", resolved.name());
            }
            CreateCollectionEntry entry = new CreateCollectionEntry(resolved, startSequences());
            JournalGateway.Appended r = gateway.append(PartitionLayout.SYSTEM_ID, WalTypes.CREATE_COLLECTION,
                    requestIds.next(), 0, WalCodec.encodeCreate(entry));
            long uid = r.hlc();
            List<String> nodes = cluster.storageNodes();
            int copies = Math.min(replicas, nodes.size());
            for (int s = 0; s < resolved.shards(); s++) {
                List<String> placed = new ArrayList<>(copies);
                for (int c = 0; c < copies; c++) {
                    placed.add(nodes.get((s + c) % nodes.size()));
                }
                cluster.metadata().put(CatalogKeys.placement(new ShardId(uid, s)), CatalogKeys.encodePlacement(placed),
                        MetadataStore.ANY_VERSION, 0);
            }
            try {
                cluster.metadata().put(CatalogKeys.collection(resolved.name()), CatalogKeys.encodeCollection(uid, entry),
                        MetadataStore.ABSENT, 0);
            } catch (VersionConflictException e) {
                throw new AlreadyExistsException("collection", resolved.name());
            }
            rt = runtimeFor(uid, entry);
            publishCollection(rt);
        }
        long deadline = System.nanoTime() + config.waitTimeout().toNanos();
        for (ShardHandle s : rt.shards()) {
            s.awaitApplied(rt.uid(), deadline, "creating collection " + resolved.name());
        }
        LOG.info("created collection {} ({} shard(s) x {} replica(s))", resolved.name(), resolved.shards(),
                Math.min(replicas, cluster.storageNodes().size()));
        return new EmbeddedCollection(this, rt);
    }

    @Override
    public void dropCollection(String name) {
        checkOpen();
        synchronized (catalogLock) {
            checkOpen();
            CollectionRuntime rt = collections().get(name);
            if (rt == null) {
                throw new NotFoundException("collection", String.valueOf(name));
            }
            // Delete exactly the incarnation this client knows (compare-and-set on its version): another client
            // may have dropped it and created a new collection under the same name meanwhile.
            String key = CatalogKeys.collection(name);
            Optional<MetadataStore.KeyValue> kv = cluster.metadata().get(key);
            boolean ours = kv.isPresent() && CatalogKeys.decodeCollection(key, kv.get().value()).uid() == rt.uid()
                    && cluster.metadata().delete(key, kv.get().version());
            unpublishCollection(name);
            rt.shutdown(false, config.waitTimeout().toNanos(), TimeUnit.NANOSECONDS);
            if (!ours) {
                throw new NotFoundException("collection", name + " (this client's incarnation was already dropped by"
                        + " another client" + (kv.isPresent() ? ", and the name now belongs to a new collection)" : ")"));
            }
            gateway.append(PartitionLayout.SYSTEM_ID, WalTypes.DROP_COLLECTION, requestIds.next(), 0,
                    WalCodec.encodeDrop(new DropCollectionEntry(rt.uid(), name)));
            for (int s = 0; s < rt.spec().shards(); s++) {
                cluster.metadata().delete(CatalogKeys.placement(new ShardId(rt.uid(), s)), MetadataStore.ANY_VERSION);
            }
        }
        LOG.info("dropped collection {}", name);
    }

    @Override
    public void close() {
        if (!markClosed()) {
            return;
        }
        for (CollectionRuntime rt : collections().values()) {
            try {
                rt.shutdown(false, config.waitTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                LOG.warn("closing collection {}", rt.name(), e);
            }
        }
        shutdownQueries();
        gateway.close();
        cluster.close();
    }
}
