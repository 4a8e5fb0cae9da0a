package io.vecraft.cluster.raft.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Durability;
import io.vecraft.cluster.raft.journal.RaftLogFormat.Draft;
import io.vecraft.cluster.raft.journal.RaftLogFormat.Stamped;
import io.vecraft.journal.HybridLogicalClock;
import io.vecraft.journal.Journal;
import io.vecraft.journal.JournalConfig;
import io.vecraft.journal.JournalEntry;
import io.vecraft.journal.JournalTailer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries across leader changes at the state machine: the request ids of applied entries are remembered
 * for a window of sequences; a batch repeating an applied entry is rejected; the proposer's lookup finds
 * the first attempt; replaying the same log on a fresh state machine makes the same decisions.
 */
class AppliedRequestsTest {
    @TempDir
    Path dir;

    @Test
    void theWindowForgetsTheOldestSequencesAndKeepsTheLatestOfARequestId() {
        long seed = new SplittableRandom().nextLong();
        System.out.println("AppliedRequestsTest seed " + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        int window = 64;
        AppliedRequests a = new AppliedRequests(window);
        List<String> ids = new ArrayList<>();
        for (long s = 1; s <= 1_000; s++) {
            String id = rnd.nextInt(4) == 0 ? "" : "r" + rnd.nextInt(200);
            ids.add(id);
            a.record(s, id);
            // model: the latest sequence in (s - window, s] with each id
            String probe = "r" + rnd.nextInt(200);
            long expect = 0;
            for (long t = s; t > Math.max(0, s - window); t--) {
                if (ids.get((int) t - 1).equals(probe)) {
                    expect = t;
                    break;
                }
            }
            assertEquals(expect, a.candidate(probe), "seed " + seed + ": " + probe + " after sequence " + s);
        }
        assertEquals(0, a.candidate(""));
        a.clear();
        assertEquals(0, a.last());
        a.record(5_000, "late"); // after a clear (a rebuild) the first sequence may be any
        assertEquals(5_000, a.candidate("late"));
    }

    private static final class Log {
        final List<List<Stamped>> batches = new ArrayList<>();
        long hlc = 1_000;

        List<Stamped> batch(long firstSequence, Object... entries) {
            List<Stamped> b = new ArrayList<>();
            for (int i = 0; i < entries.length; i += 2) {
                b.add(new Stamped(firstSequence + i / 2, ++hlc, 1, (String) entries[i], 0, (byte[]) entries[i + 1]));
            }
            batches.add(b);
            return b;
        }
    }

    private static RaftLogFormat.Reply apply(JournalStateMachine sm, long index, List<Stamped> batch) {
        RaftProtos.LogEntryProto e = RaftProtos.LogEntryProto.newBuilder().setTerm(1).setIndex(index)
                .setStateMachineLogEntry(RaftProtos.StateMachineLogEntryProto.newBuilder()
                        .setLogData(ByteString.copyFrom(RaftLogFormat.encodeBatch(0, batch)))).build();
        TransactionContext trx = TransactionContext.newBuilder().setStateMachine(sm)
                .setServerRole(RaftProtos.RaftPeerRole.FOLLOWER).setLogEntry(e).build();
        return RaftLogFormat.reply(sm.applyTransaction(trx).join().getContent().toByteArray());
    }

    @Test
    void aBatchRepeatingAnAppliedEntryIsRejectedAndReplayDecidesAlike() throws Exception {
        HybridLogicalClock clock = new HybridLogicalClock();
        Log log = new Log();
        log.batch(1, "a", new byte[] {1}, "", new byte[] {0});
        log.batch(3, "b", new byte[] {2});
        log.batch(4, "c", new byte[] {3}, "a", new byte[] {1}); // a retry of "a": the whole batch is rejected
        log.batch(4, "a", new byte[] {9}); // the same request id with other content is a new write
        log.batch(5, "c", new byte[] {3});
        boolean[] expectApplied = {true, true, false, true, true};
        try (Journal journal = Journal.open(JournalConfig.builder(dir.resolve("journal")).withPartitions(List.of("data-0"))
                .withDurability(Durability.ASYNC).withClock(clock).build())) {
            List<String> firstRun = new ArrayList<>();
            try (JournalStateMachine sm = new JournalStateMachine("data-0", 0, journal.partition(0), clock, null)) {
                for (int i = 0; i < log.batches.size(); i++) {
                    RaftLogFormat.Reply r = apply(sm, i + 1, log.batches.get(i));
                    assertEquals(expectApplied[i], r.applied(), "batch " + i + ": " + r.reason());
                    firstRun.add(r.applied() + " " + r.reason());
                }
                RaftLogFormat.Reply rejected = apply(sm, 99, log.batch(6, "b", new byte[] {2}));
                assertFalse(rejected.applied());
                assertTrue(rejected.reason().contains("repeats the applied entry 3"), rejected.reason());
                log.batches.remove(log.batches.size() - 1);
                try (JournalTailer reader = journal.partition(0).tailer()) {
                    JournalEntry first = sm.appliedRepeat(new Draft(1, "b", 0, new byte[] {2}), reader);
                    assertNotNull(first);
                    assertEquals(3, first.sequence());
                    assertEquals(4, sm.appliedRepeat(new Draft(1, "a", 0, new byte[] {9}), reader).sequence());
                    assertNull(sm.appliedRepeat(new Draft(1, "a", 0, new byte[] {1}), reader),
                            "only the latest entry of a request id is a first attempt");
                    assertNull(sm.appliedRepeat(new Draft(2, "b", 0, new byte[] {2}), reader), "other type");
                    assertNull(sm.appliedRepeat(new Draft(1, "b", 7, new byte[] {2}), reader), "other transaction");
                    assertNull(sm.appliedRepeat(new Draft(1, "zz", 0, new byte[] {2}), reader), "never applied");
                }
                assertEquals(6, sm.nextSequence());
            }
            assertEquals(5, journal.partition(0).headSequence());
            // A restart without a raft snapshot replays the whole log over the journal that holds it.
            try (JournalStateMachine again = new JournalStateMachine("data-0", 0, journal.partition(0), clock, null)) {
                for (int i = 0; i < log.batches.size(); i++) {
                    RaftLogFormat.Reply r = apply(again, i + 1, log.batches.get(i));
                    assertEquals(firstRun.get(i), r.applied() + " " + r.reason(), "replay of batch " + i);
                }
                assertEquals(6, again.nextSequence());
            }
            assertEquals(5, journal.partition(0).headSequence());
        }
    }
}
