package io.vecraft.cluster.raft.journal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.raft.transport.GrpcAddress;
import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.EntryMessage;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.ReadBatch;
import io.vecraft.cluster.spi.Watermark;
import io.vecraft.cluster.spi.transport.Connection;
import io.vecraft.cluster.spi.transport.MessageHandler;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import io.vecraft.cluster.spi.transport.StreamSink;
import io.vecraft.cluster.spi.transport.Transport;
import io.vecraft.cluster.spi.wire.JournalServiceServer;
import io.vecraft.cluster.spi.wire.WireFormat;
import io.vecraft.cluster.spi.wire.WireReader;
import io.vecraft.cluster.spi.wire.WireWriter;
import io.vecraft.journal.HybridLogicalClock;
import io.vecraft.journal.Journal;
import io.vecraft.journal.JournalConfig;
import io.vecraft.journal.JournalEntry;
import io.vecraft.journal.JournalPartition;
import io.vecraft.journal.JournalTailer;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal role of a node (seed: Journal-Service instance): one Apache Ratis server hosting one
 * Raft group per journal partition (every journal node is a member of every group), a local
 * vecraft journal with every partition ({@link JournalPartition#appendReplica} is how committed
 * Raft entries reach it, see {@link JournalStateMachine}), and the {@link JournalService} served on
 * the gRPC transport at {@code <grpc host:port>/journal} with {@link JournalServiceServer} plus the
 * provider-private messages of {@link RaftWire}.
 *
 * <p>Appends and watermarks are served by the partition's Raft leader only (others answer
 * {@link NodeUnavailableException} naming the leader they know); reads of committed entries by any
 * member (its journal holds only committed entries).
 *
 * <p>On disk: {@code <directory>/journal/} (the vecraft journal, ASYNC: the Raft log is the
 * write-ahead log, the journal is forced before every Raft snapshot) and {@code <directory>/raft/}
 * (Ratis storage, one directory per group, named by the group id: a UUID derived from the
 * namespace and partition name).
 *
 * <p>Thread-safe.
 */
public final class RaftJournalNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftJournalNode.class);
    private static final Duration CALL = Duration.ofSeconds(5);

    /** Receives leadership events (on Ratis threads: must not block). */
    public interface LeaderListener {
        /**
         * This node became the ready leader of a partition.
         *
         * @param partition partition name
         * @param term      Raft term
         */
        void leaderReady(String partition, long term);

        /**
         * A partition's leader changed, as this node learnt it.
         *
         * @param partition partition name
         * @param leaderId  new leader's node id, empty if none
         * @param term      Raft term
         */
        default void leaderChanged(String partition, String leaderId, long term) {
        }
    }

    private final JournalNodeConfig config;
    private final HybridLogicalClock clock;
    private final Transport transport;
    private final LeaderListener listener;
    private final Journal journal;
    private final List<JournalStateMachine> machines = new ArrayList<>();
    private final Map<RaftGroupId, JournalStateMachine> byGroup = new LinkedHashMap<>();
    private final List<RaftGroupId> groupIds = new ArrayList<>();
    private final List<PartitionProposer> proposers = new ArrayList<>();
    private final RaftServer server;
    private final RaftPeerId self;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong(1_000_000_000L);
    private final ExecutorService installer;
    private final LocalJournal local = new LocalJournal();
    private final Transport.Listener served;
    private final AtomicLong installs = new AtomicLong();
    private volatile boolean closed;

    /**
     * Opens the journal, starts the Ratis server (recovering the groups found in its storage and
     * creating the missing ones) and serves the journal service.
     *
     * @param config    configuration
     * @param clock     the node's clock (stamps entries on the leader; shared with the transport)
     * @param transport the node's transport (serves {@code <grpc>/journal}; reaches other nodes)
     * @param listener  leadership events
     */
    public RaftJournalNode(JournalNodeConfig config, HybridLogicalClock clock, Transport transport,
                           LeaderListener listener) {
        this.config = config;
        this.clock = clock;
        this.transport = transport;
        this.listener = listener;
        this.self = RaftPeerId.valueOf(config.nodeId());
        this.installer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vecraft-journal-install-" + config.nodeId());
            t.setDaemon(true); // copies a purged range from the leader; restarted by Ratis if lost
            return t;
        });
        try {
            Files.createDirectories(config.directory().resolve("raft"));
        } catch (IOException e) {
            throw new VecraftIOException("cannot create " + config.directory().resolve("raft"), e);
        }
        this.journal = Journal.open(JournalConfig.builder(config.directory().resolve("journal"))
                .withPartitions(config.partitions()).withDurability(Durability.ASYNC)
                .withMaxPayloadBytes(config.maxEntryBytes()).withTickInterval(JournalConfig.MAX_TICK_INTERVAL)
                .withClock(clock).build());
        RaftServer s = null;
        try {
            JournalStateMachine.Host host = new Host();
            List<RaftPeer> peers = new ArrayList<>();
            for (JournalNodeConfig.Peer p : config.peers()) {
                peers.add(RaftPeer.newBuilder().setId(p.id()).setAddress(p.raft()).build());
            }
            for (int pid = 0; pid < config.partitions().size(); pid++) {
                String name = config.partitions().get(pid);
                RaftGroupId gid = groupId(config.namespace(), name);
                JournalStateMachine sm = new JournalStateMachine(name, pid, journal.partition(pid), clock, host);
                machines.add(sm);
                byGroup.put(gid, sm);
                groupIds.add(gid);
            }
            s = RaftServer.newBuilder().setServerId(self).setProperties(properties())
                    .setStateMachineRegistry(byGroup::get).build();
            s.start();
            for (RaftGroupId gid : groupIds) {
                if (!contains(s.getGroupIds(), gid)) {
                    RaftGroup group = RaftGroup.valueOf(gid, peers);
                    RaftClientReply r = s.groupManagementAsync(GroupManagementRequest.newAdd(clientId, self,
                            callIds.incrementAndGet(), group, true)).get(30, TimeUnit.SECONDS);
                    if (!r.isSuccess()) {
                        throw new VecraftException("adding raft group " + gid + " failed: " + r.getException());
                    }
                    LOG.info("journal node {}: created raft group {} of partition {}", config.nodeId(), gid,
                            byGroup.get(gid).partitionName());
                }
            }
            for (int i = 0; i < machines.size(); i++) {
                proposers.add(new PartitionProposer(machines.get(i), s, groupIds.get(i), self, config.maxQueued(),
                        config.maxInFlight(), config.maxBatchEntries(), config.maxBatchBytes()));
            }
        } catch (IOException | ExecutionException | TimeoutException e) {
            closeQuietly(s);
            journal.close();
            throw new VecraftException("starting journal node " + config.nodeId() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(s);
            journal.close();
            throw new VecraftException("interrupted starting journal node " + config.nodeId(), e);
        } catch (RuntimeException e) {
            closeQuietly(s);
            journal.close();
            throw e;
        }
        this.server = s;
        JournalServiceServer service = new JournalServiceServer(local);
        this.served = transport.listen(GrpcAddress.of(config.self().grpc(), "journal"), new MessageHandler() {
            @Override
            public byte[] handle(byte[] request) {
                WireFormat.Envelope e;
                try {
                    e = WireFormat.open(request);
                } catch (RuntimeException ex) {
                    return WireFormat.error(ex);
                }
                return e.kind() >= WireFormat.PROVIDER_BASE ? handlePrivate(e) : service.handle(request);
            }

            @Override
            public void stream(byte[] request, StreamSink sink) {
                service.stream(request, sink);
            }
        });
        LOG.info("journal node {} up: raft {}, journal service {}/journal, partitions {}, durability {}",
                config.nodeId(), config.self().raft(), config.self().grpc(), config.partitions(), config.durability());
    }

    private static boolean contains(Iterable<RaftGroupId> ids, RaftGroupId id) {
        for (RaftGroupId g : ids) {
            if (g.equals(id)) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(RaftServer s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("closing the raft server failed", e);
            }
        }
    }

    /**
     * @param namespace cluster namespace
     * @param partition partition name
     * @return the partition's Raft group id (a name-based UUID, the same on every node)
     */
    public static RaftGroupId groupId(String namespace, String partition) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("vecraft:" + namespace + ":" + partition)
                .getBytes(StandardCharsets.UTF_8)));
    }

    private RaftProperties properties() {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(config.directory().resolve("raft").toFile()));
        String raft = config.self().raft();
        int colon = raft.lastIndexOf(':');
        GrpcConfigKeys.Server.setHost(p, raft.substring(0, colon));
        GrpcConfigKeys.Server.setPort(p, Integer.parseInt(raft.substring(colon + 1)));
        long min = config.electionTimeout().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotEvery());
        RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.min(1024, config.snapshotEvery()));
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, config.snapshotEvery()));
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, config.durability() == Durability.ASYNC);
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, false);
        // Ratis requires: write buffer >= appender buffer + 8, gRPC message limit >= appender buffer + 1 MiB;
        // an entry must fit the appender buffer.
        long appendBuffer = Math.max(4L << 20, config.maxEntryBytes() + (1L << 20));
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(appendBuffer));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(appendBuffer + (1L << 20)));
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(appendBuffer + (2L << 20)));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.segmentBytes()));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(4L << 20, config.segmentBytes())));
        return p;
    }

    /** @return how many times a partition was copied from the leader because the Raft log was purged */
    public long installs() {
        return installs.get();
    }

    /** @return this node's id */
    public String nodeId() {
        return config.nodeId();
    }

    /** @return the clock stamping entries */
    public HybridLogicalClock clock() {
        return clock;
    }

    /** @return the journal service as served by this node (leader-only appends and watermarks) */
    public JournalService service() {
        return local;
    }

    /** @return the transport address of the journal service */
    public String address() {
        return served.address();
    }

    /**
     * @param partition partition name
     * @return true if this node is the ready Raft leader of the partition
     */
    public boolean isLeader(String partition) {
        try {
            return server.getDivision(groupIds.get(index(partition))).getInfo().isLeaderReady();
        } catch (IOException e) {
            return false;
        }
    }

    /** @return partition names in id order */
    public List<String> partitions() {
        return config.partitions();
    }

    /**
     * @param partition partition name
     * @return the Raft term in which this node is the ready leader of the partition, or 0 if it is not
     */
    public long leaderTerm(String partition) {
        try {
            var info = server.getDivision(groupIds.get(index(partition))).getInfo();
            return info.isLeaderReady() ? info.getCurrentTerm() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private int index(String partition) {
        int i = config.partitions().indexOf(partition);
        if (i < 0) {
            throw new NotFoundException("journal partition", String.valueOf(partition));
        }
        return i;
    }

    private void checkOpen() {
        if (closed) {
            throw new VecraftClosedException("journal node " + config.nodeId());
        }
    }

    private NodeUnavailableException notLeader(int pid) {
        String leader = "unknown";
        try {
            RaftPeerId l = server.getDivision(groupIds.get(pid)).getInfo().getLeaderId();
            if (l != null) {
                leader = l.toString();
            }
        } catch (IOException e) {
            // no division: leader unknown
        }
        return new NodeUnavailableException(config.nodeId(), "not the leader of partition "
                + config.partitions().get(pid) + " (leader: " + leader + ")");
    }

    /** The journal service this node serves. */
    private final class LocalJournal implements JournalService {
        @Override
        public List<String> partitions() {
            return config.partitions();
        }

        @Override
        public AppendAck append(String partition, int type, String requestId, long transactionId, byte[] payload) {
            checkOpen();
            int pid = index(partition);
            if (type < 1 || type > 255) {
                throw new InvalidArgumentException("type", "must be 1 to 255, was " + type);
            }
            if (payload == null || payload.length > config.maxEntryBytes()) {
                throw new InvalidArgumentException("payload", "must be at most " + config.maxEntryBytes()
                        + " bytes, was " + (payload == null ? "null" : payload.length));
            }
            if (requestId == null || requestId.getBytes(StandardCharsets.UTF_8).length > JournalConfig.MAX_REQUEST_ID_BYTES) {
                throw new InvalidArgumentException("requestId", "must be at most " + JournalConfig.MAX_REQUEST_ID_BYTES
                        + " UTF-8 bytes");
            }
            if (!isLeader(partition)) {
                throw notLeader(pid);
            }
            CompletableFuture<AppendAck> f = proposers.get(pid).append(type, requestId, transactionId, payload);
            try {
                return f.get(config.appendTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new VecraftTimeoutException("partition " + partition + ": append not committed within "
                        + config.appendTimeout() + " (no majority?); it may still commit");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw c instanceof RuntimeException re ? re : new VecraftException("append failed", c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VecraftException("interrupted waiting for a commit", e);
            }
        }

        /** Most payload bytes one read returns (at least one entry is always returned). */
        private static final long MAX_READ_BYTES = 8L << 20;

        @Override
        public ReadBatch read(String partition, long fromSequence, int maxEntries, Duration maxWait) {
            checkOpen();
            JournalPartition p = journal.partition(index(partition));
            if (fromSequence < p.firstSequence()) {
                throw new InvalidArgumentException("fromSequence", "must be at least the first stored sequence "
                        + p.firstSequence() + " of " + partition + ", was " + fromSequence);
            }
            if (maxEntries < 1) {
                throw new InvalidArgumentException("maxEntries", "must be at least 1, was " + maxEntries);
            }
            try {
                if (p.headSequence() < fromSequence && !maxWait.isZero()) {
                    p.awaitVisible(fromSequence, Math.min(maxWait.toMillis(), 30_000), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long head = p.headSequence();
            long lastHlc = p.lastHlc();
            List<EntryMessage> out = new ArrayList<>();
            if (head >= fromSequence) {
                try (JournalTailer t = p.tailer()) {
                    t.seekSequence(fromSequence);
                    JournalEntry e;
                    long bytes = 0;
                    // Bounded by count and by size: a request cannot make this node load a whole partition
                    // into memory (the caller reads on from where the batch ends).
                    while (out.size() < maxEntries && bytes < MAX_READ_BYTES && (e = t.next()) != null
                            && e.sequence() <= head) {
                        out.add(new EntryMessage(e.partitionId(), e.sequence(), e.hlc(), e.type(), e.requestId(),
                                e.transactionId(), e.payload()));
                        bytes += e.payload().length + 64;
                    }
                }
            }
            // Every entry up to head has HLC <= lastHlc, every later one a larger HLC.
            return new ReadBatch(out, new Watermark(head, lastHlc));
        }

        @Override
        public EntryStream stream(String partition, long fromSequence, int window) {
            throw new InvalidArgumentException("stream", "served by the transport (JournalServiceServer)");
        }

        @Override
        public Watermark watermark(String partition) {
            checkOpen();
            int pid = index(partition);
            if (!isLeader(partition)) {
                throw notLeader(pid);
            }
            RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(self)
                    .setGroupId(groupIds.get(pid)).setCallId(callIds.incrementAndGet())
                    .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(RaftLogFormat.watermarkQuery())))
                    .setType(RaftClientRequest.readRequestType()).build();
            RaftClientReply r;
            try {
                r = server.submitClientRequestAsync(request).get(config.appendTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new NodeUnavailableException(config.nodeId(), "watermark of " + partition
                        + " not confirmed by a majority within " + config.appendTimeout());
            } catch (IOException | ExecutionException e) {
                throw new NodeUnavailableException(config.nodeId(), "watermark of " + partition + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VecraftException("interrupted reading a watermark", e);
            }
            if (!r.isSuccess()) {
                throw new NodeUnavailableException(config.nodeId(), "watermark of " + partition + " refused: "
                        + r.getException());
            }
            long[] w = RaftLogFormat.watermark(r.getMessage().getContent().toByteArray());
            return new Watermark(w[0], w[1]);
        }

        @Override
        public long firstSequence(String partition) {
            checkOpen();
            return journal.partition(index(partition)).firstSequence();
        }
    }

    // ------------------------------------------------------------------ provider-private messages

    private byte[] handlePrivate(WireFormat.Envelope e) {
        try {
            checkOpen();
            WireReader r = e.reader();
            WireWriter out = WireFormat.ok();
            switch (e.kind()) {
                case RaftWire.J_DIGEST -> digest(out);
                case RaftWire.J_SNAPSHOT_INFO -> {
                    long[] s = machines.get(index(r.getShortString())).latestSnapshot();
                    out.putBoolean(s != null);
                    if (s != null) {
                        for (long v : s) {
                            out.putLong(v);
                        }
                    }
                }
                default -> throw new InvalidArgumentException("wire.kind", "journal node does not serve kind " + e.kind());
            }
            return out.toByteArray();
        } catch (BufferUnderflowException | IllegalArgumentException ex) {
            return WireFormat.error(WireFormat.malformed("journal node message", ex));
        } catch (IOException ex) {
            return WireFormat.error(new VecraftIOException("journal node " + config.nodeId() + ": " + ex.getMessage(), ex));
        } catch (RuntimeException ex) {
            return WireFormat.error(ex);
        }
    }

    private void digest(WireWriter out) throws IOException {
        out.putInt(machines.size());
        for (int i = 0; i < machines.size(); i++) {
            JournalStateMachine sm = machines.get(i);
            JournalPartition p = sm.partition();
            long head = p.headSequence();
            CRC32C crc = new CRC32C();
            try (JournalTailer t = p.tailer()) {
                t.seekSequence(p.firstSequence());
                JournalEntry en;
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(25);
                while ((en = t.next()) != null && en.sequence() <= head) {
                    b.clear();
                    b.putLong(en.sequence()).putLong(en.hlc()).putLong(en.transactionId()).put((byte) en.type());
                    crc.update(b.array(), 0, 25);
                    crc.update(en.requestId().getBytes(StandardCharsets.UTF_8));
                    crc.update(en.payload());
                }
            }
            var info = server.getDivision(groupIds.get(i)).getInfo();
            out.putShortString(sm.partitionName());
            out.putLong(head);
            out.putLong(p.lastHlc());
            out.putLong(crc.getValue());
            out.putLong(sm.nextSequence());
            out.putBoolean(info.isLeaderReady());
            out.putLong(info.getCurrentTerm());
            out.putShortString(info.getLeaderId() == null ? "" : info.getLeaderId().toString());
        }
    }

    // ------------------------------------------------------------------ state machine host

    private final class Host implements JournalStateMachine.Host {
        @Override
        public void leaderReady(String partition, long term) {
            LOG.info("journal node {}: leader of {} (term {})", config.nodeId(), partition, term);
            listener.leaderReady(partition, term);
        }

        @Override
        public void leaderChanged(String partition, String leaderId, long term) {
            listener.leaderChanged(partition, leaderId, term);
        }

        @Override
        public CompletableFuture<TermIndex> installFromLeader(JournalStateMachine sm, String leaderId) {
            CompletableFuture<TermIndex> f = new CompletableFuture<>();
            installer.execute(() -> {
                try {
                    f.complete(copyFromLeader(sm, leaderId));
                } catch (RuntimeException | IOException e) {
                    LOG.warn("journal node {}: copying partition {} from {} failed", config.nodeId(), sm.partitionName(),
                            leaderId, e);
                    f.completeExceptionally(e);
                }
            });
            return f;
        }
    }

    private TermIndex copyFromLeader(JournalStateMachine sm, String leaderId) throws IOException {
        JournalNodeConfig.Peer leader = config.peers().stream().filter(p -> p.id().equals(leaderId)).findFirst()
                .orElseThrow(() -> new NotFoundException("journal peer", leaderId));
        try (Connection c = transport.connect(GrpcAddress.of(leader.grpc(), "journal"))) {
            WireWriter q = WireFormat.message(RaftWire.J_SNAPSHOT_INFO);
            q.putShortString(sm.partitionName());
            WireReader r = WireFormat.response(c.call(q.toByteArray(), CALL));
            if (!r.getBoolean()) {
                throw new VecraftException("leader " + leaderId + " has no snapshot of " + sm.partitionName());
            }
            long term = r.getLong();
            long index = r.getLong();
            long seq = r.getLong();
            long hlc = r.getLong();
            JournalPartition p = sm.partition();
            while (p.headSequence() < seq) {
                WireWriter w = WireFormat.message(WireFormat.J_READ);
                w.putShortString(sm.partitionName());
                w.putLong(p.headSequence() + 1);
                w.putInt(512);
                w.putLong(0);
                ReadBatch b = WireFormat.getReadBatch(WireFormat.response(c.call(w.toByteArray(), CALL)));
                if (b.entries().isEmpty()) {
                    throw new VecraftException("leader " + leaderId + " returned no entries of " + sm.partitionName()
                            + " from " + (p.headSequence() + 1) + " (its snapshot is at " + seq + ")");
                }
                for (EntryMessage m : b.entries()) {
                    if (m.sequence() > seq) {
                        break;
                    }
                    p.appendReplica(new JournalEntry(1, m.type(), m.partitionId(), m.sequence(), m.hlc(), m.requestId(),
                            m.transactionId(), m.payload()));
                }
            }
            if (p.headSequence() > seq) {
                try (JournalTailer t = p.tailer()) {
                    t.seekSequence(seq);
                    JournalEntry have = t.next();
                    if (have == null || have.hlc() != hlc) {
                        throw new CorruptedDataException("journal partition " + sm.partitionName(), seq,
                                "this node's entry differs from the leader's snapshot entry");
                    }
                }
            }
            TermIndex ti = TermIndex.valueOf(term, index);
            sm.installed(ti, seq, hlc);
            installs.incrementAndGet();
            LOG.info("journal node {}: partition {} copied from {} up to sequence {} (raft {})", config.nodeId(),
                    sm.partitionName(), leaderId, seq, ti);
            return ti;
        }
    }

    /** Stops serving, stops the Ratis server and closes the journal; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        served.close();
        for (PartitionProposer p : proposers) {
            p.close();
        }
        closeQuietly(server);
        installer.shutdownNow();
        journal.close();
        LOG.info("journal node {} stopped", config.nodeId());
    }
}
