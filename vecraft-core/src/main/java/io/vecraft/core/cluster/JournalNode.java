package io.vecraft.core.cluster;

import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
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
import io.vecraft.journal.AppendResult;
import io.vecraft.journal.Journal;
import io.vecraft.journal.JournalConfig;
import io.vecraft.journal.JournalEntry;
import io.vecraft.journal.JournalPartition;
import io.vecraft.journal.JournalTailer;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One journal node of the in-JVM cluster (seed: Journal-Service instance). It keeps a full copy
 * of every partition in its own Chronicle journal. For each partition one node is the leader
 * (chosen by the {@link InJvmCoordinator}, with a term): it assigns sequence and HLC by appending
 * to its local journal, replicates the entry to the other nodes, and acknowledges the append once
 * a majority of journal nodes (itself included) holds it durably. Only committed entries are
 * served to readers.
 *
 * <p>Replication is leader-driven and ordered per follower: each batch carries the sequence and
 * HLC of the entry before it; a follower whose log does not end with that entry answers GAP (it
 * is behind: the leader resends from its head) or DIVERGED (it holds entries the leader does not,
 * e.g. an old leader's uncommitted tail after a partition heals): it then deletes its copy of the
 * partition and copies it again from the leader. Elections pick the live node with the longest
 * log, which holds every committed entry (a committed entry is on a majority, and every node's
 * log is a prefix of the leader's it followed). This is a deliberately simple protocol for one
 * process; networked clusters use Apache Ratis.
 *
 * <p>Thread-safe.
 */
final class JournalNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JournalNode.class);
    private static final Duration CALL = Duration.ofSeconds(2);
    private static final int BATCH = 256;

    private final String id;
    private final Path dir;
    private final List<String> partitionNames;
    private final List<String> peers;
    private final Transport transport;
    private final Durability durability;
    private final Duration commitTimeout;
    private final int majority;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock journalLock = new ReentrantReadWriteLock();
    private final PartitionState[] states;
    private final List<Thread> replicators = new ArrayList<>();
    private final Transport.Listener listener;
    private volatile Journal journal;
    /** Incremented when the local journal is reopened (resync), so replicators drop stale tailers. */
    private volatile int epoch;
    private volatile boolean closed;

    /** Per-partition replication state; guarded by {@link #lock}. */
    private final class PartitionState {
        final int pid;
        final String name;
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        long term;
        String leader = "";
        boolean isLeader;
        long commit;
        final Map<String, Long> match = new HashMap<>();

        PartitionState(int pid, String name) {
            this.pid = pid;
            this.name = name;
        }

        void signal() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * @param id             node id (also its transport address)
     * @param dir            its journal directory
     * @param partitionNames partition names
     * @param peers          ids of every journal node, this one included
     * @param transport      this node's transport view
     * @param durability     local journal durability
     * @param commitTimeout  longest wait of an append for its commit
     */
    JournalNode(String id, Path dir, List<String> partitionNames, List<String> peers, Transport transport,
                Durability durability, Duration commitTimeout) {
        this.id = id;
        this.dir = dir;
        this.partitionNames = List.copyOf(partitionNames);
        this.peers = List.copyOf(peers);
        this.transport = transport;
        this.durability = durability;
        this.commitTimeout = commitTimeout;
        this.majority = peers.size() / 2 + 1;
        this.journal = openJournal();
        this.states = new PartitionState[partitionNames.size()];
        for (int i = 0; i < states.length; i++) {
            states[i] = new PartitionState(i, partitionNames.get(i));
        }
        JournalServiceServer service = new JournalServiceServer(new LocalService());
        this.listener = transport.listen(id, new MessageHandler() {
            @Override
            public byte[] handle(byte[] request) {
                WireFormat.Envelope e;
                try {
                    e = WireFormat.open(request);
                } catch (RuntimeException ex) {
                    return WireFormat.error(ex);
                }
                if (e.kind() >= WireFormat.PROVIDER_BASE) {
                    return handlePrivate(e);
                }
                return service.handle(request);
            }

            @Override
            public void stream(byte[] request, StreamSink sink) {
                service.stream(request, sink);
            }
        });
        for (String peer : peers) {
            if (!peer.equals(id)) {
                Thread t = new Thread(() -> replicate(peer), "vecraft-replicator-" + id + "-to-" + peer);
                t.setDaemon(true); // the journal is durable; replication resumes after a restart
                replicators.add(t);
                t.start();
            }
        }
    }

    private Journal openJournal() {
        return Journal.open(JournalConfig.builder(dir).withPartitions(partitionNames).withDurability(durability)
                .withMaxPayloadBytes(JournalConfig.MAX_PAYLOAD_BYTES).build());
    }

    String id() {
        return id;
    }

    // ------------------------------------------------------------------ local journal service (leader side)

    private PartitionState state(String partition) {
        int i = partitionNames.indexOf(partition);
        if (i < 0) {
            throw new io.vecraft.api.NotFoundException("journal partition", String.valueOf(partition));
        }
        return states[i];
    }

    private NodeUnavailableException notLeader(PartitionState s) {
        return new NodeUnavailableException(id, "not the leader of partition " + s.name + " (leader: "
                + (s.leader.isEmpty() ? "none" : s.leader) + ")");
    }

    private JournalPartition local(PartitionState s) {
        if (closed) {
            throw new VecraftClosedException("journal node " + id);
        }
        return journal.partition(s.pid);
    }

    /** The partitions as served to clients: leader only, committed entries only. */
    private final class LocalService implements JournalService {
        @Override
        public List<String> partitions() {
            return partitionNames;
        }

        @Override
        public AppendAck append(String partition, int type, String requestId, long transactionId, byte[] payload) {
            PartitionState s = state(partition);
            long seq;
            long hlc;
            long term;
            journalLock.readLock().lock();
            try {
                s.lock.lock();
                try {
                    if (!s.isLeader) {
                        throw notLeader(s);
                    }
                    term = s.term;
                } finally {
                    s.lock.unlock();
                }
                // Outside the partition lock, so concurrent appends share the journal's group commit.
                // If leadership is lost meanwhile, the entry stays an uncommitted local tail (found as
                // divergence later) and the wait below fails.
                AppendResult r = local(s).append(type, requestId, transactionId, payload);
                seq = r.sequence();
                hlc = r.hlc();
                s.lock.lock();
                try {
                    if (s.isLeader && s.term == term) {
                        recomputeCommit(s);
                    }
                } finally {
                    s.lock.unlock();
                }
            } finally {
                journalLock.readLock().unlock();
            }
            signalWork();
            awaitCommit(s, seq, term);
            return new AppendAck(s.pid, s.name, seq, hlc);
        }

        @Override
        public ReadBatch read(String partition, long fromSequence, int maxEntries, Duration maxWait) {
            PartitionState s = state(partition);
            long commit = awaitCommitted(s, fromSequence, maxWait);
            List<EntryMessage> out = new ArrayList<>();
            journalLock.readLock().lock();
            try {
                JournalPartition p = local(s);
                if (commit >= fromSequence) {
                    try (JournalTailer t = p.tailer()) {
                        t.seekSequence(Math.max(fromSequence, p.firstSequence()));
                        JournalEntry e;
                        while (out.size() < maxEntries && (e = t.next()) != null && e.sequence() <= commit) {
                            out.add(toMessage(e));
                        }
                    }
                }
                return new ReadBatch(out, committedWatermark(s, p));
            } finally {
                journalLock.readLock().unlock();
            }
        }

        @Override
        public EntryStream stream(String partition, long fromSequence, int window) {
            throw new InvalidArgumentException("stream", "served by the transport (JournalServiceServer)");
        }

        @Override
        public Watermark watermark(String partition) {
            PartitionState s = state(partition);
            journalLock.readLock().lock();
            try {
                s.lock.lock();
                try {
                    if (!s.isLeader) {
                        throw notLeader(s);
                    }
                } finally {
                    s.lock.unlock();
                }
                return committedWatermark(s, local(s));
            } finally {
                journalLock.readLock().unlock();
            }
        }

        @Override
        public long firstSequence(String partition) {
            PartitionState s = state(partition);
            journalLock.readLock().lock();
            try {
                return local(s).firstSequence();
            } finally {
                journalLock.readLock().unlock();
            }
        }
    }

    private static EntryMessage toMessage(JournalEntry e) {
        return new EntryMessage(e.partitionId(), e.sequence(), e.hlc(), e.type(), e.requestId(), e.transactionId(),
                e.payload());
    }

    private static JournalEntry fromMessage(EntryMessage m) {
        return new JournalEntry(1, m.type(), m.partitionId(), m.sequence(), m.hlc(), m.requestId(), m.transactionId(),
                m.payload());
    }

    /**
     * The leader's watermark limited to committed entries: the local journal's own watermark may name
     * entries a majority does not hold yet, which a failover can drop and reassign (a collection created
     * now takes the watermark's sequence as its start). Past the commit index it is (commit, HLC of the
     * last committed entry): every entry up to it has an HLC at most that, every later one a larger.
     */
    private Watermark committedWatermark(PartitionState s, JournalPartition p) {
        io.vecraft.journal.Watermark w = p.watermark();
        long commit;
        s.lock.lock();
        try {
            commit = s.commit;
        } finally {
            s.lock.unlock();
        }
        if (w.sequence() <= commit) {
            return new Watermark(w.sequence(), w.hlc());
        }
        if (commit < p.firstSequence()) {
            return new Watermark(commit, 0);
        }
        try (JournalTailer t = p.tailer()) {
            t.seekSequence(commit);
            JournalEntry e = t.next();
            return new Watermark(commit, e == null ? 0 : e.hlc());
        }
    }

    /** Waits until {@code seq} is committed under {@code term}; fails if leadership is lost. */
    private void awaitCommit(PartitionState s, long seq, long term) {
        long deadline = System.nanoTime() + commitTimeout.toNanos();
        s.lock.lock();
        try {
            while (s.commit < seq) {
                if (closed || !s.isLeader || s.term != term) {
                    throw new NodeUnavailableException(id, "lost the leadership of " + s.name + " before sequence " + seq
                            + " committed; it may or may not survive (retry)");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new io.vecraft.api.VecraftTimeoutException("partition " + s.name + ": sequence " + seq
                            + " not replicated to a majority within " + commitTimeout);
                }
                s.changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecraftException("interrupted waiting for a commit", e);
        } finally {
            s.lock.unlock();
        }
    }

    /** Leader only: waits up to {@code wait} until {@code from} is committed; returns the commit index. */
    private long awaitCommitted(PartitionState s, long from, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        s.lock.lock();
        try {
            if (!s.isLeader) {
                throw notLeader(s);
            }
            while (s.commit < from && s.isLeader && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                s.changed.awaitNanos(left);
            }
            if (!s.isLeader) {
                throw notLeader(s);
            }
            return s.commit;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return s.commit;
        } finally {
            s.lock.unlock();
        }
    }

    /** Leader, under the partition lock: commit = the largest sequence a majority holds. */
    private void recomputeCommit(PartitionState s) {
        List<Long> held = new ArrayList<>();
        held.add(local(s).visibleSequence());
        for (String peer : peers) {
            if (!peer.equals(id)) {
                held.add(s.match.getOrDefault(peer, 0L));
            }
        }
        held.sort(Comparator.reverseOrder());
        long c = held.get(majority - 1);
        if (c > s.commit) {
            s.commit = c;
            s.changed.signalAll();
        }
    }

    // ------------------------------------------------------------------ replication (leader -> follower)

    private Connection connection(String node) {
        return connections.computeIfAbsent(node, transport::connect);
    }

    private void replicate(String peer) {
        Map<Integer, JournalTailer> tailers = new HashMap<>();
        Map<Integer, Long> next = new HashMap<>();
        int seenEpoch = epoch;
        try {
            while (!closed) {
                boolean sent = false;
                for (PartitionState s : states) {
                    long term;
                    long matched;
                    s.lock.lock();
                    try {
                        if (!s.isLeader) {
                            next.remove(s.pid);
                            continue;
                        }
                        term = s.term;
                        matched = s.match.getOrDefault(peer, -1L);
                    } finally {
                        s.lock.unlock();
                    }
                    journalLock.readLock().lock();
                    try {
                        if (closed) {
                            return;
                        }
                        if (seenEpoch != epoch) {
                            closeAll(tailers);
                            seenEpoch = epoch;
                        }
                        JournalPartition p = journal.partition(s.pid);
                        long head = p.headSequence();
                        if (next.containsKey(s.pid) && matched >= head) {
                            continue; // follower is up to date
                        }
                        long n = next.getOrDefault(s.pid, head + 1);
                        JournalTailer t = tailers.computeIfAbsent(s.pid, k -> p.tailer());
                        long prevSeq = Math.min(n, head + 1) - 1;
                        long prevHlc = 0;
                        List<EntryMessage> batch = new ArrayList<>();
                        if (prevSeq >= p.firstSequence()) {
                            t.seekSequence(prevSeq);
                            JournalEntry prev = t.next();
                            prevHlc = prev == null ? 0 : prev.hlc();
                        } else {
                            t.seekSequence(Math.max(prevSeq + 1, p.firstSequence()));
                        }
                        JournalEntry e;
                        while (batch.size() < BATCH && (e = t.next()) != null && e.sequence() <= head) {
                            batch.add(toMessage(e));
                        }
                        long[] answer = sendAppend(peer, s, term, head, prevSeq, prevHlc, batch);
                        if (answer == null) {
                            next.remove(s.pid);
                            continue;
                        }
                        int status = (int) answer[0];
                        long followerHead = Math.min(answer[1], head);
                        s.lock.lock();
                        try {
                            if (status == ClusterWire.STALE && answer[2] > s.term) {
                                stepDown(s, answer[2], "");
                            } else if (status == ClusterWire.OK && s.isLeader && s.term == term) {
                                s.match.put(peer, followerHead);
                                next.put(s.pid, followerHead + 1);
                                recomputeCommit(s);
                            } else {
                                // GAP or DIVERGED (the follower reset itself): resend from its head.
                                s.match.put(peer, Math.min(followerHead, Math.max(0, s.match.getOrDefault(peer, 0L))));
                                next.put(s.pid, followerHead + 1);
                            }
                        } finally {
                            s.lock.unlock();
                        }
                        sent = sent || !batch.isEmpty() || status != ClusterWire.OK;
                    } catch (NodeUnavailableException | io.vecraft.api.VecraftTimeoutException e) {
                        next.remove(s.pid);
                    } finally {
                        journalLock.readLock().unlock();
                    }
                }
                if (!sent) {
                    waitForWork();
                }
            }
        } catch (VecraftClosedException e) {
            // node closing
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.error("journal node {}: replicator to {} stopped", id, peer, e);
            }
        } finally {
            closeAll(tailers);
        }
    }

    private static void closeAll(Map<Integer, JournalTailer> tailers) {
        for (JournalTailer t : tailers.values()) {
            try {
                t.close();
            } catch (RuntimeException e) {
                LOG.debug("closing replicator tailer", e);
            }
        }
        tailers.clear();
    }

    private final Object work = new Object();

    private void waitForWork() {
        // Replicators wake on appends (signalWork) or every 20 ms (heartbeat/catch-up of followers).
        synchronized (work) {
            try {
                work.wait(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void signalWork() {
        synchronized (work) {
            work.notifyAll();
        }
    }

    /** @return {status, head, term} or null if the peer could not be reached */
    private long[] sendAppend(String peer, PartitionState s, long term, long leaderHead, long prevSeq, long prevHlc,
                              List<EntryMessage> batch) {
        WireWriter w = WireFormat.message(ClusterWire.REPL_APPEND);
        w.putShortString(s.name);
        w.putLong(term);
        w.putShortString(id);
        w.putLong(leaderHead);
        w.putLong(prevSeq);
        w.putLong(prevHlc);
        w.putInt(batch.size());
        for (EntryMessage m : batch) {
            WireFormat.putEntry(w, m);
        }
        WireReader r;
        try {
            r = WireFormat.response(connection(peer).call(w.toByteArray(), CALL));
        } catch (NodeUnavailableException | io.vecraft.api.VecraftTimeoutException | VecraftClosedException e) {
            return null;
        }
        return new long[] {r.getUnsignedByte(), r.getLong(), r.getLong()};
    }

    private void stepDown(PartitionState s, long term, String leader) {
        if (s.isLeader) {
            LOG.info("journal node {}: stepping down as leader of {} (term {} -> {})", id, s.name, s.term, term);
        }
        s.isLeader = false;
        s.term = term;
        s.leader = leader;
        s.match.clear();
        s.changed.signalAll();
    }

    // ------------------------------------------------------------------ private messages

    private byte[] handlePrivate(WireFormat.Envelope e) {
        try {
            WireReader r = e.reader();
            WireWriter out = WireFormat.ok();
            switch (e.kind()) {
                case ClusterWire.REPL_APPEND -> onAppend(r, out);
                case ClusterWire.REPL_STATE -> {
                    PartitionState s = state(r.getShortString());
                    journalLock.readLock().lock();
                    try {
                        JournalPartition p = local(s);
                        out.putLong(p.headSequence());
                        out.putLong(p.lastHlc());
                    } finally {
                        journalLock.readLock().unlock();
                    }
                    s.lock.lock();
                    try {
                        out.putLong(s.term);
                    } finally {
                        s.lock.unlock();
                    }
                }
                case ClusterWire.BECOME_LEADER -> {
                    PartitionState s = state(r.getShortString());
                    long term = r.getLong();
                    s.lock.lock();
                    try {
                        if (term < s.term) {
                            throw new InvalidArgumentException("term", "stale term " + term + " < " + s.term);
                        }
                        s.term = term;
                        s.leader = id;
                        s.isLeader = true;
                        s.match.clear();
                        s.commit = 0;
                        s.changed.signalAll();
                    } finally {
                        s.lock.unlock();
                    }
                    LOG.info("journal node {}: leader of {} (term {})", id, s.name, term);
                    signalWork();
                }
                case ClusterWire.FOLLOW -> {
                    PartitionState s = state(r.getShortString());
                    long term = r.getLong();
                    String leader = r.getShortString();
                    s.lock.lock();
                    try {
                        if (term >= s.term) {
                            stepDown(s, term, leader);
                        }
                    } finally {
                        s.lock.unlock();
                    }
                }
                default -> throw new InvalidArgumentException("wire.kind", "journal node does not serve kind " + e.kind());
            }
            return out.toByteArray();
        } catch (BufferUnderflowException | IllegalArgumentException ex) {
            return WireFormat.error(WireFormat.malformed("journal node message", ex));
        } catch (RuntimeException ex) {
            return WireFormat.error(ex);
        }
    }

    /** Follower side of REPL_APPEND. */
    private void onAppend(WireReader r, WireWriter out) {
        PartitionState s = state(r.getShortString());
        long term = r.getLong();
        String leader = r.getShortString();
        long leaderHead = r.getLong();
        long prevSeq = r.getLong();
        long prevHlc = r.getLong();
        int n = r.getInt();
        List<EntryMessage> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(WireFormat.getEntry(r));
        }
        boolean diverged = false;
        journalLock.readLock().lock();
        try {
            s.lock.lock();
            try {
                JournalPartition p = local(s);
                if (term < s.term) {
                    reply(out, ClusterWire.STALE, p.headSequence(), s.term);
                    return;
                }
                if (term > s.term || !leader.equals(s.leader)) {
                    stepDown(s, term, leader);
                }
                long head = p.headSequence();
                if (prevSeq > head) {
                    reply(out, ClusterWire.GAP, head, s.term);
                    return;
                }
                if (prevSeq > 0 && prevSeq >= p.firstSequence() && hlcAt(p, prevSeq, head) != prevHlc) {
                    diverged = true;
                } else {
                    for (EntryMessage m : entries) {
                        if (m.sequence() <= head) {
                            if (hlcAt(p, m.sequence(), head) != m.hlc()) {
                                diverged = true;
                                break;
                            }
                            continue;
                        }
                        p.appendReplica(fromMessage(m));
                        head = m.sequence();
                    }
                }
                // Entries beyond the leader's head were never committed (an old leader's tail).
                long last = entries.isEmpty() ? prevSeq : entries.get(entries.size() - 1).sequence();
                if (!diverged && p.headSequence() > leaderHead && last >= leaderHead) {
                    diverged = true;
                }
                if (!diverged) {
                    reply(out, ClusterWire.OK, p.headSequence(), s.term);
                    return;
                }
            } finally {
                s.lock.unlock();
            }
        } finally {
            journalLock.readLock().unlock();
        }
        resync(s);
        reply(out, ClusterWire.DIVERGED, 0, s.term);
    }

    private static void reply(WireWriter out, int status, long head, long term) {
        out.putByte(status);
        out.putLong(head);
        out.putLong(term);
    }

    private static long hlcAt(JournalPartition p, long seq, long head) {
        if (seq == head) {
            return p.lastHlc();
        }
        try (JournalTailer t = p.tailer()) {
            t.seekSequence(seq);
            JournalEntry e = t.next();
            return e == null ? -1 : e.hlc();
        }
    }

    /**
     * Drops this node's copy of a partition (it holds entries the leader never committed) so the
     * leader copies it again from the start.
     */
    private void resync(PartitionState s) {
        journalLock.writeLock().lock();
        try {
            LOG.warn("journal node {}: partition {} diverged from leader {}; deleting the local copy and copying it again",
                    id, s.name, s.leader);
            journal.close();
            Path pdir = dir.resolve(s.name);
            try (Stream<Path> walk = Files.walk(pdir)) {
                for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(q);
                }
            } catch (IOException e) {
                throw new io.vecraft.api.VecraftIOException("cannot delete " + pdir, e);
            }
            journal = openJournal();
            epoch++;
        } finally {
            journalLock.writeLock().unlock();
        }
    }

    /** @return this node's head of a partition (tests) */
    long head(String partition) {
        journalLock.readLock().lock();
        try {
            return local(state(partition)).headSequence();
        } finally {
            journalLock.readLock().unlock();
        }
    }

    /** Stops serving and replicating, then closes the local journal; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        listener.close();
        for (PartitionState s : states) {
            s.signal();
        }
        signalWork();
        for (Thread t : replicators) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        journalLock.writeLock().lock();
        try {
            journal.close();
        } finally {
            journalLock.writeLock().unlock();
        }
    }
}
