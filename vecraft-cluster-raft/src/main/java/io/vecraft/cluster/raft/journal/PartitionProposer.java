package io.vecraft.cluster.raft.journal;

import io.vecraft.api.CapacityException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
import io.vecraft.cluster.raft.journal.RaftLogFormat.Draft;
import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import io.vecraft.journal.JournalEntry;
import io.vecraft.journal.JournalTailer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of one partition on this node: appends queue up here and one thread
 * ({@code vecraft-proposer-<partition>}) turns them into Raft proposals of up to
 * {@code maxBatchEntries} entries / {@code maxBatchBytes} bytes each (group commit: one Raft entry,
 * one replication round and one fsync per batch), submitted in order to the local Ratis server,
 * which calls {@link JournalStateMachine#startTransaction} on this thread: stamping order is log
 * order. Up to {@code maxInFlight} proposals are pipelined. A proposal that fails or is rejected
 * fails its appends with {@link NodeUnavailableException} (the SPI client retries, at the new
 * leader if leadership moved); the next proposal then waits until nothing is in flight and
 * restamps from the applied state.
 *
 * <p>Thread-safe: {@link #append} may be called from any thread.
 */
final class PartitionProposer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionProposer.class);
    private static final AtomicLong PROPOSAL_IDS = new AtomicLong();

    private final JournalStateMachine sm;
    private final RaftServer server;
    private final RaftGroupId group;
    private final RaftPeerId self;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final BlockingQueue<Pending> queue;
    private final Semaphore inFlight;
    private final int maxInFlight;
    private final int maxBatchEntries;
    private final long maxBatchBytes;
    private final Thread thread;
    private volatile boolean dirty;
    private volatile boolean closed;
    /** Reads the entries retried appends repeat (proposer thread). */
    private JournalTailer repeatReader;

    /** An append waiting for its acknowledgement. */
    private record Pending(Draft draft, CompletableFuture<AppendAck> future) {
    }

    /** How long (and how many) appends are remembered by request id to answer retries. */
    static final long RETRY_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
    static final int RETRY_WINDOW_ENTRIES = 65_536;

    /** An append remembered by request id. */
    private record Recent(String requestId, Draft draft, CompletableFuture<AppendAck> future, long nanos) {
    }

    /**
     * Appends of the last {@link #RETRY_WINDOW_NANOS} by request id: a client whose call timed out
     * (a slow leader, not a dead one) retries the same append; answering it with the first
     * attempt's future instead of proposing it again keeps the entry single. Guarded by itself.
     */
    private final Map<String, Recent> recent = new HashMap<>();
    private final ArrayDeque<Recent> recentOrder = new ArrayDeque<>();

    PartitionProposer(JournalStateMachine sm, RaftServer server, RaftGroupId group, RaftPeerId self, int maxQueued,
                      int maxInFlight, int maxBatchEntries, long maxBatchBytes) {
        this.sm = sm;
        this.server = server;
        this.group = group;
        this.self = self;
        this.queue = new ArrayBlockingQueue<>(maxQueued);
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.maxBatchEntries = maxBatchEntries;
        this.maxBatchBytes = maxBatchBytes;
        this.thread = new Thread(this::run, "vecraft-proposer-" + sm.partitionName());
        this.thread.setDaemon(true); // queued appends fail on close; nothing unacknowledged is lost
        this.thread.start();
    }

    /**
     * Queues an append.
     *
     * @return completes with the committed entry's ack, or fails ({@link NodeUnavailableException}
     *     if this node is not, or stopped being, the leader; {@link CapacityException} if the queue
     *     is full)
     */
    CompletableFuture<AppendAck> append(int type, String requestId, long transactionId, byte[] payload) {
        CompletableFuture<AppendAck> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new VecraftClosedException("journal partition " + sm.partitionName()));
            return f;
        }
        Draft draft = new Draft(type, requestId, transactionId, payload);
        boolean remember = requestId != null && !requestId.isEmpty();
        if (remember) {
            synchronized (recent) {
                evictRecent(System.nanoTime());
                Recent r = recent.get(requestId);
                if (r != null && sameDraft(r.draft(), draft) && !r.future().isCompletedExceptionally()) {
                    return r.future(); // a retry of an append in flight or committed here: not proposed twice
                }
                Recent mine = new Recent(requestId, draft, f, System.nanoTime());
                recent.put(requestId, mine);
                recentOrder.addLast(mine);
            }
        }
        if (!queue.offer(new Pending(draft, f))) {
            f.completeExceptionally(new CapacityException("journal partition " + sm.partitionName() + ": "
                    + "more than " + (queue.size() + queue.remainingCapacity()) + " appends waiting; retry later"));
        }
        return f;
    }

    private void evictRecent(long now) {
        Recent head;
        while ((head = recentOrder.peekFirst()) != null
                && (now - head.nanos() > RETRY_WINDOW_NANOS || recentOrder.size() > RETRY_WINDOW_ENTRIES)) {
            recentOrder.pollFirst();
            recent.remove(head.requestId(), head);
        }
    }

    /** The same append (a retry), not another write that reuses a request id. */
    private static boolean sameDraft(Draft a, Draft b) {
        return a.type() == b.type() && a.transactionId() == b.transactionId()
                && java.util.Arrays.equals(a.payload(), b.payload());
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (!closed) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    resetIfDrained();
                    continue;
                }
                batch.clear();
                batch.add(first);
                long bytes = first.draft().payload().length;
                Pending next;
                while (batch.size() < maxBatchEntries && bytes < maxBatchBytes && (next = queue.poll()) != null) {
                    batch.add(next);
                    bytes += next.draft().payload().length;
                }
                submit(new ArrayList<>(batch));
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            } catch (RuntimeException e) {
                LOG.error("proposer of partition {} failed a batch", sm.partitionName(), e);
                fail(batch, new VecraftException("proposing failed: " + e.getMessage(), e));
            }
        }
        if (repeatReader != null) {
            repeatReader.close();
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        fail(left, new NodeUnavailableException(self.toString(), "journal node closing"));
    }

    /** After a failure: once nothing is in flight, the next stamp starts again from the applied state. */
    private void resetIfDrained() {
        if (dirty && inFlight.availablePermits() == maxInFlight) {
            dirty = false;
            sm.requestReset();
        }
    }

    private void submit(List<Pending> batch) throws InterruptedException {
        if (dirty) {
            // Wait (bounded by the in-flight proposals' own completion) until nothing is in flight.
            while (!closed && !inFlight.tryAcquire(maxInFlight, 100, TimeUnit.MILLISECONDS)) {
                // in-flight proposals complete or fail on their own (commit, timeout or step-down)
            }
            inFlight.release(maxInFlight);
            resetIfDrained();
        }
        answerRepeats(batch);
        if (batch.isEmpty()) {
            return;
        }
        inFlight.acquire();
        long id = PROPOSAL_IDS.incrementAndGet();
        List<Draft> drafts = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            drafts.add(p.draft());
        }
        sm.propose(id, drafts);
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(self)
                .setGroupId(group).setCallId(callIds.incrementAndGet())
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(RaftLogFormat.proposal(id))))
                .setType(RaftClientRequest.writeRequestType()).build();
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = server.submitClientRequestAsync(request);
        } catch (Exception e) {
            sm.forget(id);
            inFlight.release();
            dirty = true;
            fail(batch, unavailable("submitting failed: " + e.getMessage()));
            return;
        }
        reply.whenComplete((r, err) -> {
            sm.forget(id);
            inFlight.release();
            complete(batch, r, err);
        });
    }

    /**
     * Answers, and removes from the batch, the retries of appends that already committed (under this
     * or an earlier leader): every entry applied before this node became the ready leader is in the
     * state machine, so a retry sent here after a fail-over gets the first attempt's entry.
     */
    private void answerRepeats(List<Pending> batch) {
        for (java.util.Iterator<Pending> it = batch.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            String rid = p.draft().requestId();
            if (rid == null || rid.isEmpty()) {
                continue;
            }
            if (repeatReader == null) {
                repeatReader = sm.partition().tailer();
            }
            JournalEntry first = sm.appliedRepeat(p.draft(), repeatReader);
            if (first != null) {
                it.remove();
                p.future().complete(new AppendAck(sm.partitionId(), sm.partitionName(), first.sequence(), first.hlc()));
            }
        }
    }

    private void complete(List<Pending> batch, RaftClientReply r, Throwable err) {
        if (err != null || r == null || !r.isSuccess()) {
            dirty = true;
            String why = err != null ? err.toString() : r == null ? "no reply" : String.valueOf(r.getException());
            fail(batch, unavailable(why));
            return;
        }
        RaftLogFormat.Reply reply = RaftLogFormat.reply(r.getMessage().getContent().toByteArray());
        if (!reply.applied()) {
            dirty = true;
            fail(batch, unavailable("the batch was rejected (" + reply.reason() + ")"));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            long[] stamp = reply.stamps().get(i);
            batch.get(i).future().complete(new AppendAck(sm.partitionId(), sm.partitionName(), stamp[0], stamp[1]));
        }
    }

    private NodeUnavailableException unavailable(String why) {
        return new NodeUnavailableException(self.toString(), "partition " + sm.partitionName()
                + ": append not committed here (" + why + "); retry at the current leader");
    }

    private static void fail(List<Pending> batch, RuntimeException e) {
        for (Pending p : batch) {
            p.future().completeExceptionally(e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
