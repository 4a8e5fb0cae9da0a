package io.vecraft.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A follower copying a leader's entries with appendReplica ends with an identical log. */
class ReplicaAppendTest {
    @TempDir
    Path dir;

    private Journal open(String name) {
        return Journal.open(JournalConfig.builder(dir.resolve(name)).withDurability(Durability.ASYNC).build());
    }

    @Test
    void followerLogEqualsLeaderLogAndSurvivesReopen() {
        Random rnd = TestSeeds.random("followerLogEqualsLeaderLogAndSurvivesReopen");
        List<JournalEntry> leaderEntries = new ArrayList<>();
        try (Journal leader = open("leader"); Journal follower = open("follower")) {
            JournalPartition lp = leader.partition("data-0");
            JournalPartition fp = follower.partition("data-0");
            try (JournalTailer t = lp.tailer()) {
                for (int i = 0; i < 200; i++) {
                    byte[] payload = new byte[rnd.nextInt(300)];
                    rnd.nextBytes(payload);
                    if (i % 50 == 7) {
                        lp.tick(0);
                    } else {
                        lp.append(1 + rnd.nextInt(5), "req-" + i, rnd.nextInt(3), payload);
                    }
                    JournalEntry e;
                    while ((e = t.next()) != null) {
                        AppendResult r = fp.appendReplica(e);
                        assertEquals(e.sequence(), r.sequence());
                        assertEquals(e.hlc(), r.hlc());
                        leaderEntries.add(e);
                    }
                }
            }
            assertEquals(lp.headSequence(), fp.headSequence());
            assertEquals(lp.lastHlc(), fp.lastHlc());
            assertTrue(follower.clock().now() > lp.lastHlc(), "the follower's clock moved past the leader's HLCs");
        }
        try (Journal follower = open("follower"); JournalTailer t = follower.partition("data-0").tailer()) {
            for (JournalEntry want : leaderEntries) {
                JournalEntry got = t.next();
                assertEquals(want.sequence(), got.sequence());
                assertEquals(want.hlc(), got.hlc());
                assertEquals(want.type(), got.type());
                assertEquals(want.requestId(), got.requestId());
                assertEquals(want.transactionId(), got.transactionId());
                assertArrayEquals(want.payload(), got.payload());
            }
            assertNull(t.next());
        }
    }

    @Test
    void outOfOrderOrBackwardEntriesAreRefusedAndNothingIsAppended() {
        try (Journal follower = open("f")) {
            JournalPartition fp = follower.partition("data-0");
            int pid = fp.id();
            fp.appendReplica(new JournalEntry(1, 1, pid, 1, 1_000L << 16, "a", 0, new byte[] {1}));
            InvalidArgumentException gap = assertThrows(InvalidArgumentException.class,
                    () -> fp.appendReplica(new JournalEntry(1, 1, pid, 3, 2_000L << 16, "b", 0, new byte[] {2})));
            assertEquals("entry.sequence", gap.field());
            InvalidArgumentException back = assertThrows(InvalidArgumentException.class,
                    () -> fp.appendReplica(new JournalEntry(1, 1, pid, 2, 500L << 16, "b", 0, new byte[] {2})));
            assertEquals("entry.hlc", back.field());
            assertThrows(InvalidArgumentException.class,
                    () -> fp.appendReplica(new JournalEntry(1, 1, pid + 1, 2, 2_000L << 16, "b", 0, new byte[] {2})));
            assertEquals(1, fp.headSequence());
        }
    }
}
