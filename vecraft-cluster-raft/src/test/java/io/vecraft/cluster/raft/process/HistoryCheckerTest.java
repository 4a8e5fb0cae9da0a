package io.vecraft.cluster.raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.cluster.raft.process.ClusterHistoryTest.Read;
import io.vecraft.cluster.raft.process.ClusterHistoryTest.Write;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cross-node history checker finds the violations it is meant to find (and accepts valid histories). */
class HistoryCheckerTest {
    private static final Write W1 = new Write("t1", Map.of("h/k", "t1"), 100, 0, 10, 0);
    private static final Write W2 = new Write("t2", Map.of("h/k", "t2"), 200, 20, 30, 1);
    private static final Write DEL = new Write("del-3", Map.of("h/k", "-"), 300, 40, 50, 1);

    @Test
    void aStrongReadOfAnOlderValueThanACompletedWriteIsAViolation() {
        List<String> v = ClusterHistoryTest.check(List.of(W1, W2), List.of(new Read("h/k", "t1", 35, 40, 2, true)));
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("older than completed write t2"), v.get(0));
    }

    @Test
    void aReadOfAValueWrittenAfterTheReadEndedIsAViolation() {
        List<String> v = ClusterHistoryTest.check(List.of(W1, W2), List.of(new Read("h/k", "t2", 12, 15, 2, true)));
        assertEquals(1, v.size(), v.toString());
    }

    @Test
    void readingNothingAfterACompletedUpsertIsAViolationUnlessADeleteHadStarted() {
        assertEquals(1, ClusterHistoryTest.check(List.of(W1, W2), List.of(new Read("h/k", "-", 35, 40, 2, true))).size());
        assertTrue(ClusterHistoryTest.check(List.of(W1, W2, DEL), List.of(new Read("h/k", "-", 45, 55, 2, true)))
                .isEmpty());
    }

    @Test
    void readYourWritesOnlyCountsTheSessionsOwnWrites() {
        // Thread 2 did not write t2: its READ_YOUR_WRITES read may still see t1.
        assertTrue(ClusterHistoryTest.check(List.of(W1, W2), List.of(new Read("h/k", "t1", 35, 40, 2, false))).isEmpty());
        // Thread 1 wrote t2: its own read must not see t1.
        assertEquals(1, ClusterHistoryTest.check(List.of(W1, W2), List.of(new Read("h/k", "t1", 35, 40, 1, false))).size());
    }

    @Test
    void validHistoriesPass() {
        assertTrue(ClusterHistoryTest.check(List.of(W1, W2, DEL), List.of(new Read("h/k", "t2", 35, 38, 0, true),
                new Read("h/k", "t1", 5, 15, 0, true), new Read("h/k", "-", 60, 70, 0, true))).isEmpty());
    }
}
