package io.vecraft.cluster.raft.journal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.cluster.raft.journal.RaftLogFormat.Draft;
import io.vecraft.cluster.raft.journal.RaftLogFormat.Stamped;
import io.vecraft.journal.HybridLogicalClock;
import io.vecraft.journal.JournalEntry;
import io.vecraft.journal.JournalPartition;
import io.vecraft.journal.JournalTailer;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of one journal partition (one Raft group). Its state is the partition
 * of the node's local vecraft journal plus two numbers, the next sequence and the last HLC.
 *
 * <ul>
 *   <li><b>Leader: {@link #startTransaction}</b> stamps a proposal: each entry gets the next
 *       sequence and a fresh reading of the node's HLC, under {@link #assignLock}. The stamped
 *       batch becomes the log entry data ({@link RaftLogFormat}), so every member applies exactly
 *       what the leader assigned. Proposals are submitted by one thread per partition
 *       ({@link PartitionProposer}), so stamping order is log order. At the first stamp of a term
 *       the counter restarts from the applied state: Ratis accepts writes only once the new
 *       leader applied its start-up entry, i.e. everything before it.</li>
 *   <li><b>Every member: {@link #applyTransaction}</b> accepts a batch iff its first sequence is
 *       the next one and its HLCs increase past the last applied HLC, and appends its entries to
 *       the journal with {@link JournalPartition#appendReplica}; otherwise it rejects the batch
 *       (e.g. stamped by a leader that lost its term, or after a failed submission). The decision
 *       depends only on the log, so journals stay identical on every member. During replay after
 *       a restart, entries the journal already holds are checked (HLC and request id) instead of
 *       appended.</li>
 *   <li><b>Retries across leader changes</b>: the request ids of the last
 *       {@link AppliedRequests#WINDOW} applied sequences are remembered ({@link AppliedRequests},
 *       rebuilt from the journal at load). An append whose type, request id, transaction and payload
 *       equal the latest applied entry with that request id is a retry of a write that committed:
 *       the proposer answers it with that entry ({@link #appliedRepeat}), and a batch holding one
 *       that slipped through (proposed while the first attempt was still being applied) is
 *       rejected by every member alike.</li>
 *   <li><b>Watermark ({@link #query})</b>: a linearizable read (Ratis read index or leader lease)
 *       answered under the apply and assignment locks with the applied (committed) sequence and
 *       a fresh clock reading, or, while stamped entries are in flight, an HLC just below the first
 *       of them: every entry up to that sequence has a smaller HLC and every later one a larger,
 *       and the sequence never names an entry that may still fail and be re-stamped.</li>
 *   <li><b>Snapshots</b> record the journal position (sequence and HLC) at a Raft index after
 *       forcing the journal; Ratis then purges its log up to it: the journal is the state.
 *       Followers behind a purged log copy the missing journal entries from the leader
 *       ({@link #notifyInstallSnapshotFromLeader}, through the node).</li>
 * </ul>
 *
 * <p>Thread-safety: Ratis calls apply, snapshot and reinitialize from the group's state machine
 * updater thread (serialised here by {@link #applyLock} as well); {@link #startTransaction} and
 * {@link #query} from other threads, synchronised on {@link #assignLock}.
 */
final class JournalStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(JournalStateMachine.class);
    private static final String SNAPSHOT_MAGIC = "vecraft-raft-snapshot 1";

    /** What the node does on leadership events and for snapshot installation. */
    interface Host {
        /** This node became the ready leader of the partition in {@code term}. */
        void leaderReady(String partition, long term);

        /** The partition's leader changed (any member learns it). */
        void leaderChanged(String partition, String leaderId, long term);

        /**
         * Copies the journal entries this member misses from the leader, up to the leader's latest
         * snapshot, and returns where that snapshot is.
         */
        CompletableFuture<TermIndex> installFromLeader(JournalStateMachine sm, String leaderId);
    }

    private final String name;
    private final int pid;
    private final JournalPartition partition;
    private final HybridLogicalClock clock;
    private final Host host;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Map<Long, List<Draft>> proposals = new ConcurrentHashMap<>();
    private final Object assignLock = new Object();
    private final Object applyLock = new Object();
    /** Applied state (updater thread writes; others read). */
    private volatile long nextSeq = 1;
    private volatile long lastHlc;
    /** Assignment state, guarded by assignLock. */
    private long assignTerm = -1;
    private long lastAssigned;
    private boolean resetRequested;
    /** HLC of each entry this leader stamped and that is not applied yet, by sequence (assignLock to add). */
    private final java.util.concurrent.ConcurrentSkipListMap<Long, Long> stampedHlc =
            new java.util.concurrent.ConcurrentSkipListMap<>();
    private JournalTailer verifier;
    /** Request ids of the last applied sequences (retries across leader changes); see {@link AppliedRequests}. */
    private final AppliedRequests applied = new AppliedRequests();
    /** Reads back the entry a request id was applied with (apply thread). */
    private JournalTailer repeatReader;
    private volatile RaftServer.Division division;

    JournalStateMachine(String name, int pid, JournalPartition partition, HybridLogicalClock clock, Host host) {
        this.name = name;
        this.pid = pid;
        this.partition = partition;
        this.clock = clock;
        this.host = host;
    }

    String partitionName() {
        return name;
    }

    int partitionId() {
        return pid;
    }

    JournalPartition partition() {
        return partition;
    }

    /** @return the next sequence the applied state expects */
    long nextSequence() {
        return nextSeq;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(() -> load(storage.loadLatestSnapshot()), IOException.class);
    }

    /** Ratis pauses the state machine before reloading it from an installed snapshot. */
    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** Reloads from the latest snapshot (after {@link #pause()}, once a snapshot was installed). */
    @Override
    public void reinitialize() throws IOException {
        getLifeCycle().startAndTransition(() -> load(storage.loadLatestSnapshot()), IOException.class);
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        synchronized (applyLock) {
            if (snapshot == null) {
                nextSeq = 1;
                lastHlc = 0;
                rememberRequestsUpTo(0);
                return;
            }
            long[] position = readSnapshot(snapshot.getFile().getPath());
            if (partition.headSequence() < position[0]) {
                throw new CorruptedDataException(snapshot.getFile().getPath().toString(), 0, "the journal of partition "
                        + name + " ends at sequence " + partition.headSequence() + " but its raft snapshot "
                        + snapshot.getTermIndex() + " records sequence " + position[0] + ": journal entries were lost; "
                        + "delete this node's data directory to copy the partition again from the other members");
            }
            nextSeq = position[0] + 1;
            lastHlc = position[1];
            rememberRequestsUpTo(position[0]);
            setLastAppliedTermIndex(snapshot.getTermIndex());
            LOG.info("partition {}: raft snapshot {} at journal sequence {}", name, snapshot.getTermIndex(), position[0]);
        }
    }

    /**
     * Rebuilds the applied request ids from the journal entries up to {@code sequence} (the applied
     * state being loaded): the log entries replayed after it add theirs in order, so the table holds
     * what it held when each of them was first applied, on every member.
     */
    private void rememberRequestsUpTo(long sequence) {
        applied.clear();
        long from = Math.max(Math.max(1, partition.firstSequence()), sequence - AppliedRequests.WINDOW + 1);
        if (sequence < from) {
            return;
        }
        try (JournalTailer t = partition.tailer()) {
            t.seekSequence(from);
            for (long s = from; s <= sequence; s++) {
                JournalEntry e = t.next();
                if (e == null || e.sequence() != s) {
                    throw new CorruptedDataException("journal partition " + name, s, "expected entry " + s
                            + " while rebuilding the applied request ids, found " + (e == null ? "nothing" : e.sequence()));
                }
                applied.record(s, e.requestId());
            }
        }
    }

    /**
     * @return the applied entry {@code draft} repeats: an append retried after its first attempt
     *     committed, possibly under an earlier leader (same request id, type, transaction and
     *     payload as the latest applied entry with that request id); null if there is none
     * @param reader a tailer of this partition owned by the calling thread
     */
    JournalEntry appliedRepeat(Draft draft, JournalTailer reader) {
        return repeatOf(draft.type(), draft.requestId(), draft.transactionId(), draft.payload(), reader);
    }

    private JournalEntry repeatOf(int type, String requestId, long transactionId, byte[] payload, JournalTailer reader) {
        long candidate = applied.candidate(requestId);
        if (candidate == 0 || candidate < partition.firstSequence()) {
            return null;
        }
        if (reader.nextSequence() != candidate) {
            reader.seekSequence(candidate);
        }
        JournalEntry e = reader.next();
        boolean same = e != null && e.sequence() == candidate && e.type() == type && e.requestId().equals(requestId)
                && e.transactionId() == transactionId && Arrays.equals(e.payload(), payload);
        return same ? e : null;
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public SingleFileSnapshotInfo getLatestSnapshot() {
        return storage.getLatestSnapshot();
    }

    private RaftServer.Division division() throws IOException {
        RaftServer.Division d = division;
        if (d == null) {
            d = getServer().join().getDivision(getGroupId());
            division = d;
        }
        return d;
    }

    /** @return the current Raft term of this member */
    long currentTerm() {
        try {
            return division().getInfo().getCurrentTerm();
        } catch (IOException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------ leader side

    /**
     * Registers a batch to propose; the proposal message carries only its id.
     *
     * @param id     proposal id, unique in this process
     * @param drafts the entries
     */
    void propose(long id, List<Draft> drafts) {
        proposals.put(id, drafts);
    }

    /** Forgets a proposal that was never submitted. */
    void forget(long id) {
        proposals.remove(id);
    }

    /** After a failed submission, once nothing is in flight: stamp from the applied state again. */
    void requestReset() {
        synchronized (assignLock) {
            resetRequested = true;
        }
    }

    private void resetIfNeeded(long term) {
        if (term != assignTerm || resetRequested) {
            stampedHlc.clear();
            lastAssigned = nextSeq - 1;
            assignTerm = term;
            resetRequested = false;
        }
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        long[] req;
        List<Draft> drafts = null;
        Exception failure = null;
        try {
            req = RaftLogFormat.openRequest(request.getMessage().getContent().toByteArray());
            if (req[0] != RaftLogFormat.PROPOSAL) {
                failure = new InvalidArgumentException("raft.message", "not a proposal");
            } else {
                drafts = proposals.remove(req[1]);
                if (drafts == null) {
                    failure = new InvalidArgumentException("raft.message", "unknown proposal " + req[1]
                            + " (proposals are submitted by the partition's proposer on the leader)");
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        if (failure != null) {
            TransactionContext t = TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request).build();
            t.setException(failure);
            return t;
        }
        long term = currentTerm();
        List<Stamped> stamped = new ArrayList<>(drafts.size());
        synchronized (assignLock) {
            resetIfNeeded(term);
            for (Draft d : drafts) {
                Stamped st = new Stamped(++lastAssigned, clock.now(), d.type(), d.requestId(), d.transactionId(),
                        d.payload());
                stamped.add(st);
                stampedHlc.put(st.sequence(), st.hlc());
            }
        }
        ByteString data = UnsafeByteOperations.unsafeWrap(RaftLogFormat.encodeBatch(pid, stamped));
        return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request).setLogData(data)
                .setStateMachineContext(stamped).build();
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        long[] req = RaftLogFormat.openRequest(request.getContent().toByteArray());
        if (req[0] != RaftLogFormat.WATERMARK) {
            return CompletableFuture.failedFuture(new InvalidArgumentException("raft.query", "unknown query kind " + req[0]));
        }
        long term = currentTerm();
        // The watermark names a committed sequence: entries stamped but not applied yet may still fail and
        // their sequences go to other entries (a collection created now takes these as its start, and would
        // skip those). With entries in flight it reports the applied head and an HLC just below the first
        // in-flight stamp, so every entry up to it has a smaller HLC and every later one a larger.
        synchronized (applyLock) {
            synchronized (assignLock) {
                resetIfNeeded(term);
                long applied = nextSeq - 1;
                long sequence;
                long hlc;
                if (lastAssigned <= applied) {
                    sequence = applied;
                    hlc = clock.now();
                } else {
                    Long first = stampedHlc.get(applied + 1);
                    sequence = applied;
                    hlc = first != null ? first - 1 : lastHlc;
                }
                byte[] reply = RaftLogFormat.watermarkReply(sequence, hlc);
                return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
            }
        }
    }

    // ------------------------------------------------------------------ every member

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        RaftProtos.LogEntryProto entry = trx.getLogEntry();
        synchronized (applyLock) {
            byte[] reply;
            try {
                Object ctx = trx.getStateMachineContext();
                List<Stamped> batch = ctx instanceof List<?> l ? (List<Stamped>) l
                        : RaftLogFormat.decodeBatch(entry.getStateMachineLogEntry().getLogData().toByteArray(), pid,
                                "raft log of partition " + name + " at index " + entry.getIndex());
                String problem = check(batch);
                if (problem != null) {
                    reply = RaftLogFormat.rejected(problem);
                    LOG.debug("partition {}: rejected raft entry {}: {}", name, entry.getIndex(), problem);
                } else {
                    for (Stamped e : batch) {
                        store(e);
                        applied.record(e.sequence(), e.requestId());
                        nextSeq = e.sequence() + 1;
                        lastHlc = e.hlc();
                    }
                    if (!batch.isEmpty()) {
                        stampedHlc.headMap(batch.get(batch.size() - 1).sequence(), true).clear();
                    }
                    reply = RaftLogFormat.applied(batch);
                }
            } catch (RuntimeException e) {
                LOG.error("partition {}: applying raft entry {} failed; this member stops applying", name,
                        entry.getIndex(), e);
                return CompletableFuture.failedFuture(e);
            }
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
        }
    }

    /** @return why the batch cannot follow the applied state, or null if it can */
    private String check(List<Stamped> batch) {
        long expectSeq = nextSeq;
        long prevHlc = lastHlc;
        for (Stamped e : batch) {
            if (e.sequence() != expectSeq) {
                return "sequence " + e.sequence() + " where " + expectSeq + " was expected (stale stamp)";
            }
            if (e.hlc() <= prevHlc) {
                return "HLC " + e.hlc() + " not above " + prevHlc;
            }
            expectSeq++;
            prevHlc = e.hlc();
        }
        // A retry whose first attempt committed under another leader (the proposer answers those it
        // finds before proposing; this catches one proposed while the first attempt was still being
        // applied). Rejecting the batch keeps sequences dense; the proposer's retry finds the entry.
        for (Stamped e : batch) {
            if (e.requestId() != null && !e.requestId().isEmpty()) {
                if (repeatReader == null) {
                    repeatReader = partition.tailer();
                }
                JournalEntry first = repeatOf(e.type(), e.requestId(), e.transactionId(), e.payload(), repeatReader);
                if (first != null) {
                    return "entry " + e.sequence() + " repeats the applied entry " + first.sequence() + " (request id "
                            + e.requestId() + ", a retry)";
                }
            }
        }
        return null;
    }

    private void store(Stamped e) {
        long head = partition.headSequence();
        if (e.sequence() == head + 1) {
            partition.appendReplica(new JournalEntry(1, e.type(), pid, e.sequence(), e.hlc(), e.requestId(),
                    e.transactionId(), e.payload()));
            return;
        }
        if (e.sequence() > head + 1) {
            throw new CorruptedDataException("journal partition " + name, e.sequence(), "the journal ends at sequence "
                    + head + " but the raft log continues at " + e.sequence() + ": journal entries are missing");
        }
        // Replay after a restart: the journal already holds it; it must be the same entry.
        if (verifier == null) {
            verifier = partition.tailer();
        }
        if (verifier.nextSequence() != e.sequence()) {
            verifier.seekSequence(e.sequence());
        }
        JournalEntry have = verifier.next();
        if (have == null || have.hlc() != e.hlc() || !have.requestId().equals(e.requestId())) {
            throw new CorruptedDataException("journal partition " + name, e.sequence(), "the journal holds "
                    + (have == null ? "nothing" : "HLC " + have.hlc() + " request " + have.requestId())
                    + " at this sequence but the raft log has HLC " + e.hlc() + " request " + e.requestId());
        }
        if (e.sequence() == head) {
            verifier.close(); // caught up: no more replay
            verifier = null;
        }
    }

    // ------------------------------------------------------------------ snapshots

    @Override
    public long takeSnapshot() throws IOException {
        synchronized (applyLock) {
            TermIndex ti = getLastAppliedTermIndex();
            if (ti == null || ti.getIndex() < 0) {
                return -1;
            }
            partition.flush();
            writeSnapshot(ti, nextSeq - 1, lastHlc);
            return ti.getIndex();
        }
    }

    private void writeSnapshot(TermIndex ti, long sequence, long hlc) throws IOException {
        File f = storage.getSnapshotFile(ti.getTerm(), ti.getIndex());
        String body = SNAPSHOT_MAGIC + "\npartition " + name + "\nsequence " + sequence + "\nhlc " + hlc + "\n";
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        byte[] bytes = (body + "crc32c " + String.format("%08x", crc.getValue()) + "\n").getBytes(StandardCharsets.UTF_8);
        Path tmp = f.toPath().resolveSibling(f.getName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        Files.move(tmp, f.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(f.toPath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(f);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(f.toPath(), md5), ti));
        storage.cleanupOldSnapshots(new SnapshotRetentionPolicy() {
            @Override
            public int getNumSnapshotsRetained() {
                return 2;
            }
        });
        LOG.debug("partition {}: raft snapshot {} at journal sequence {}", name, ti, sequence);
    }

    /**
     * @param file a snapshot file
     * @return {sequence, hlc}
     */
    long[] readSnapshot(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = Arrays.asList(text.split("\n"));
        int crcAt = text.lastIndexOf("crc32c ");
        if (lines.size() < 5 || !lines.get(0).equals(SNAPSHOT_MAGIC) || crcAt < 0) {
            throw new CorruptedDataException(file.toString(), 0, "not a vecraft raft snapshot (expected '"
                    + SNAPSHOT_MAGIC + "')");
        }
        CRC32C crc = new CRC32C();
        crc.update(text.substring(0, crcAt).getBytes(StandardCharsets.UTF_8));
        long stored = Long.parseLong(text.substring(crcAt + 7).trim(), 16);
        if (stored != crc.getValue()) {
            throw new CorruptedDataException(file.toString(), crcAt, "raft snapshot checksum mismatch");
        }
        if (!lines.get(1).equals("partition " + name)) {
            throw new CorruptedDataException(file.toString(), 0, "raft snapshot of '" + lines.get(1)
                    + "' in the group of partition " + name);
        }
        return new long[] {Long.parseLong(lines.get(2).substring("sequence ".length())),
            Long.parseLong(lines.get(3).substring("hlc ".length()))};
    }

    /**
     * @return {term, index, sequence, hlc} of the latest snapshot, or null if there is none
     */
    long[] latestSnapshot() throws IOException {
        SingleFileSnapshotInfo s = storage.getLatestSnapshot();
        if (s == null) {
            return null;
        }
        long[] p = readSnapshot(s.getFile().getPath());
        return new long[] {s.getTerm(), s.getIndex(), p[0], p[1]};
    }

    /**
     * Records, after the node copied the journal up to {@code sequence} from the leader, that this
     * member's state is the leader's snapshot at {@code ti}; Ratis then reinitialises from it.
     */
    void installed(TermIndex ti, long sequence, long hlc) throws IOException {
        synchronized (applyLock) {
            partition.flush();
            writeSnapshot(ti, sequence, hlc);
        }
    }

    // ------------------------------------------------------------------ events

    @Override
    public void notifyLeaderReady() {
        host.leaderReady(name, currentTerm());
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        host.leaderChanged(name, newLeaderId == null ? "" : newLeaderId.toString(), currentTerm());
    }

    @Override
    public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(RaftProtos.RoleInfoProto roleInfo,
                                                                      TermIndex firstTermIndexInLog) {
        String leader = roleInfo.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8();
        LOG.info("partition {}: the leader {} purged its log up to {}; copying the journal from it", name, leader,
                firstTermIndexInLog);
        return host.installFromLeader(this, leader);
    }

    @Override
    public void close() throws IOException {
        synchronized (applyLock) {
            if (verifier != null) {
                verifier.close();
                verifier = null;
            }
            if (repeatReader != null) {
                repeatReader.close();
                repeatReader = null;
            }
        }
        super.close();
    }
}
