package io.vecraft.cluster.raft.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.VecraftException;
import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.EntryMessage;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.ReadBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft journal (three nodes in this JVM) under failures: losing the leader keeps every
 * acknowledged entry and writes resume on the new leader; a member that was down catches up; a
 * member behind a purged Raft log copies the journal from the leader; every member ends with an
 * identical journal.
 */
@Timeout(240)
class RaftJournalFailoverTest {
    private static final String P = "data-0";

    @TempDir
    Path dir;

    /** Appends from several threads until stopped; records every acknowledged entry. */
    private static final class Writers implements AutoCloseable {
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        final AtomicBoolean stop = new AtomicBoolean();
        final Map<Long, AppendAck> acked = new ConcurrentHashMap<>();
        final Map<Long, String> requestOf = new ConcurrentHashMap<>();
        final AtomicInteger errors = new AtomicInteger();
        final AtomicLong lastAckNanos = new AtomicLong();
        final List<Future<?>> futures = new ArrayList<>();

        Writers(JournalService j) {
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String rid = "w" + thread + "-" + i;
                        try {
                            AppendAck a = j.append(P, 1, rid, 0, rid.getBytes());
                            assertTrue(acked.putIfAbsent(a.sequence(), a) == null, "sequence acknowledged twice");
                            requestOf.put(a.sequence(), rid);
                            lastAckNanos.set(System.nanoTime());
                        } catch (VecraftException e) {
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
        }

        void awaitAcks(int n, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (acked.size() < n) {
                assertTrue(System.nanoTime() < deadline, "only " + acked.size() + " of " + n + " appends acknowledged");
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
            }
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
    }

    private static void awaitIdenticalJournals(InProcessJournalCluster c, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Map<String, List<Long>>> d;
        while (true) {
            d = c.digests();
            if (d.values().stream().distinct().count() == 1) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "journals differ: " + d);
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
    }

    private static List<EntryMessage> readAll(JournalService j, long head) {
        List<EntryMessage> all = new ArrayList<>();
        while (all.size() < head) {
            ReadBatch b = j.read(P, all.size() + 1, 1000, Duration.ofSeconds(5));
            assertTrue(!b.entries().isEmpty(), "entries from " + (all.size() + 1) + " are readable");
            all.addAll(b.entries());
        }
        return all;
    }

    private static void assertEveryAckIsInTheJournal(JournalService j, Writers w) {
        long head = w.acked.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        List<EntryMessage> all = readAll(j, head);
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).sequence(), "dense sequences");
            if (i > 0) {
                assertTrue(all.get(i).hlc() > all.get(i - 1).hlc(), "HLC increases with the sequence");
            }
        }
        Map<String, Long> sequenceOf = new java.util.HashMap<>();
        for (EntryMessage e : all) {
            Long earlier = sequenceOf.putIfAbsent(e.requestId(), e.sequence());
            assertTrue(earlier == null || e.requestId().isEmpty(), "request " + e.requestId() + " is in the journal"
                    + " twice, at " + earlier + " and " + e.sequence() + " (a retry appended again)");
        }
        for (AppendAck a : w.acked.values()) {
            EntryMessage e = all.get((int) a.sequence() - 1);
            assertEquals(a.hlc(), e.hlc(), "acknowledged HLC of " + a.sequence());
            assertEquals(w.requestOf.get(a.sequence()), e.requestId(), "acknowledged entry " + a.sequence());
        }
    }

    @Test
    @Tag("cluster")
    void losingTheLeaderKeepsEveryAcknowledgedEntryAndTheJournalsConverge() throws Exception {
        try (InProcessJournalCluster c = new InProcessJournalCluster(dir, 100_000)) {
            Writers w = new Writers(c.journal());
            String leader;
            long killedAt;
            try (w) {
                w.awaitAcks(300, Duration.ofSeconds(60));
                leader = c.leader(P);
                assertNotNull(leader);
                killedAt = System.nanoTime();
                c.stop(leader);
                int before = w.acked.size();
                w.awaitAcks(before + 1, Duration.ofSeconds(30));
                System.out.printf("[measure] writes resumed %d ms after stopping leader %s%n",
                        (w.lastAckNanos.get() - killedAt) / 1_000_000, leader);
                w.awaitAcks(before + 300, Duration.ofSeconds(60));
            }
            assertTrue(!leader.equals(c.leader(P)), "a new leader was elected");
            assertEveryAckIsInTheJournal(c.journal(), w);
            c.start(leader);
            awaitIdenticalJournals(c, Duration.ofSeconds(60));
            // Writes after the rejoin still commit and keep sequences dense.
            long head = c.journal().watermark(P).sequence();
            AppendAck a = c.journal().append(P, 1, "after", 0, new byte[] {1});
            assertEquals(head + 1, a.sequence());
            assertEquals(a.sequence(), readAll(c.journal(), a.sequence()).size());
            awaitIdenticalJournals(c, Duration.ofSeconds(30));
        }
    }

    @Test
    void aMemberBehindAPurgedRaftLogCopiesTheJournalFromTheLeader() throws Exception {
        try (InProcessJournalCluster c = new InProcessJournalCluster(dir, 32, 64 << 10)) {
            JournalService j = c.journal();
            for (int i = 0; i < 20; i++) {
                j.append(P, 1, "warm-" + i, 0, new byte[100]);
            }
            String leader = c.leader(P);
            String follower = c.ids.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
            c.stop(follower);
            byte[] payload = new byte[2_000];
            for (int i = 0; i < 600; i++) {
                j.append(P, 1, "while-down-" + i, 0, payload);
            }
            c.start(follower);
            awaitIdenticalJournals(c, Duration.ofSeconds(60));
            assertTrue(c.nodes.get(follower).installs() > 0, "the follower copied the journal from the leader");
            AppendAck a = j.append(P, 1, "after", 0, new byte[] {2});
            assertEquals(621, a.sequence());
            awaitIdenticalJournals(c, Duration.ofSeconds(30));
        }
    }

    @Test
    void aRetriedAppendIsAnsweredWithTheFirstAttemptsEntry() {
        try (InProcessJournalCluster c = new InProcessJournalCluster(dir, 64)) {
            JournalService j = c.journal();
            AppendAck first = j.append(P, 1, "retry-me", 0, new byte[] {9});
            // a client whose call timed out sends the same append again: same entry, not a second one
            AppendAck retry = j.append(P, 1, "retry-me", 0, new byte[] {9});
            assertEquals(first.sequence(), retry.sequence());
            assertEquals(first.hlc(), retry.hlc());
            // another write that reuses the request id is a new entry
            AppendAck other = j.append(P, 1, "retry-me", 0, new byte[] {8});
            assertEquals(first.sequence() + 1, other.sequence());
            assertEquals(other.sequence(), readAll(j, other.sequence()).size());
        }
    }

    @Test
    void anAppendRetriedAtANewLeaderIsAnsweredWithTheEntryTheOldLeaderCommitted() {
        try (InProcessJournalCluster c = new InProcessJournalCluster(dir, 64)) {
            JournalService j = c.journal();
            for (int i = 0; i < 10; i++) {
                j.append(P, 1, "before-" + i, 0, new byte[] {(byte) i});
            }
            AppendAck first = j.append(P, 1, "lost-ack", 0, new byte[] {5, 5});
            awaitIdenticalJournals(c, Duration.ofSeconds(30)); // every member is up and holds the entry
            String old = c.leader(P);
            c.stop(old); // the acknowledgement "was lost": the client retries at whichever node leads now
            AppendAck retry = j.append(P, 1, "lost-ack", 0, new byte[] {5, 5});
            assertTrue(!old.equals(c.leader(P)), "a new leader answered");
            assertEquals(first.sequence(), retry.sequence(), "the retry is the entry the old leader committed");
            assertEquals(first.hlc(), retry.hlc());
            AppendAck other = j.append(P, 1, "lost-ack", 0, new byte[] {6});
            assertEquals(first.sequence() + 1, other.sequence(), "same request id, other content: a new entry");
            assertEquals(other.sequence(), readAll(j, other.sequence()).size());
        }
    }

    @Test
    @Tag("cluster")
    void restartingEveryMemberReplaysNothingTwice() {
        try (InProcessJournalCluster c = new InProcessJournalCluster(dir, 64)) {
            JournalService j = c.journal();
            for (int i = 0; i < 150; i++) {
                j.append(P, 1, "before-" + i, 0, new byte[] {(byte) i});
            }
            for (String id : c.ids) {
                c.stop(id);
            }
            for (String id : c.ids) {
                c.start(id);
            }
            AppendAck a = j.append(P, 1, "after-restart", 0, new byte[] {7});
            assertEquals(151, a.sequence());
            // the applied request ids were rebuilt from the journal (and the raft snapshots) at restart
            assertEquals(149, j.append(P, 1, "before-148", 0, new byte[] {(byte) 148}).sequence());
            awaitIdenticalJournals(c, Duration.ofSeconds(30));
        }
    }
}
