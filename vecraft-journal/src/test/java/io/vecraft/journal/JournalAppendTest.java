package io.vecraft.journal;

import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalAppendTest {

    @TempDir
    Path dir;

    private JournalConfig.Builder config() {
        return JournalConfig.builder(dir.resolve("j")).withDurability(Durability.ASYNC);
    }

    /** One randomly generated entry and where it went. */
    record Written(EntryDraft draft, AppendResult result) {
    }

    static EntryDraft randomDraft(Random rnd) {
        int type = 1 + rnd.nextInt(EntryTypes.MAX_TYPE);
        int ridLen = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(40);
        StringBuilder rid = new StringBuilder();
        for (int i = 0; i < ridLen; i++) {
            // Mix ASCII and multi-byte characters so UTF-8 lengths differ from char counts.
            rid.append(rnd.nextInt(10) == 0 ? 'é' : (char) ('a' + rnd.nextInt(26)));
        }
        int size = switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(64);
            case 2 -> rnd.nextInt(4096);
            default -> rnd.nextInt(64 * 1024 + 1);
        };
        byte[] payload = new byte[size];
        rnd.nextBytes(payload);
        long tx = rnd.nextBoolean() ? 0 : rnd.nextLong();
        return new EntryDraft(type, rid.toString(), tx, payload);
    }

    static void assertEntry(EntryDraft expected, AppendResult where, JournalEntry actual) {
        assertEquals(where.sequence(), actual.sequence());
        assertEquals(where.hlc(), actual.hlc());
        assertEquals(where.partitionId(), actual.partitionId());
        assertEquals(expected.type(), actual.type());
        assertEquals(expected.requestId(), actual.requestId());
        assertEquals(expected.transactionId(), actual.transactionId());
        assertArrayEquals(expected.payload(), actual.payload());
        assertEquals(1, actual.formatVersion());
    }

    @Test
    void roundTripsRandomEntriesAcrossReopen() {
        Random rnd = TestSeeds.random("roundTripsRandomEntriesAcrossReopen");
        List<Written> written = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            try (Journal j = Journal.open(config().build())) {
                JournalPartition p = j.partition("data-0");
                assertEquals(written.size(), p.headSequence(), "head continues after reopen");
                int n = 50 + rnd.nextInt(100);
                for (int i = 0; i < n; i++) {
                    EntryDraft d = randomDraft(rnd);
                    AppendResult r = rnd.nextInt(5) == 0
                            ? p.appendBatch(List.of(d)).get(0)
                            : p.append(d.type(), d.requestId(), d.transactionId(), d.payload());
                    assertEquals(written.size() + 1, r.sequence(), "sequences are dense from 1");
                    assertEquals("data-0", r.partition());
                    assertEquals(2, r.partitionId());
                    written.add(new Written(d, r));
                }
            }
        }
        try (Journal j = Journal.open(config().build()); JournalTailer t = j.partition("data-0").tailer()) {
            long prevHlc = 0;
            for (Written w : written) {
                JournalEntry e = t.next();
                assertEntry(w.draft(), w.result(), e);
                assertTrue(e.hlc() > prevHlc, "HLC strictly increases with sequence");
                prevHlc = e.hlc();
            }
            assertNull(t.next());
            assertEquals(written.size(), j.partition("data-0").headSequence());
            assertEquals(prevHlc, j.partition("data-0").lastHlc());
        }
    }

    @Test
    void partitionsAreIndependentAndNamedByIndex() {
        try (Journal j = Journal.open(config().build())) {
            assertEquals(List.of("system", "tx", "data-0"), j.partitions().stream().map(JournalPartition::name).toList());
            for (int i = 0; i < 3; i++) {
                assertEquals(i, j.partition(i).id());
            }
            j.partition("system").append(1, "a", 0, new byte[1]);
            j.partition("system").append(1, "b", 0, new byte[1]);
            assertEquals(1, j.partition("tx").append(1, "c", 0, new byte[1]).sequence());
            assertEquals(0, j.partition("data-0").headSequence());
            NotFoundException byName = assertThrows(NotFoundException.class, () -> j.partition("data-9"));
            assertTrue(byName.getMessage().contains("data-9"));
            assertThrows(NotFoundException.class, () -> j.partition(3));
            assertThrows(NotFoundException.class, () -> j.partition(-1));
        }
    }

    @Test
    void concurrentAppendersGetGapFreeOrderedSequences() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        try (Journal j = Journal.open(config().build())) {
            JournalPartition p = j.partition("data-0");
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            ConcurrentLinkedQueue<AppendResult> results = new ConcurrentLinkedQueue<>();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        byte[] payload = (thread + ":" + i).getBytes();
                        results.add(p.append(1 + thread, "t" + thread + "-" + i, thread, payload));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            int total = threads * perThread;
            assertEquals(total, results.size());
            long[] seqs = results.stream().mapToLong(AppendResult::sequence).sorted().toArray();
            for (int i = 0; i < total; i++) {
                assertEquals(i + 1, seqs[i], "no gap, no duplicate");
            }
            int[] nextPerThread = new int[threads];
            try (JournalTailer t = p.tailer()) {
                long prevHlc = 0;
                for (int i = 0; i < total; i++) {
                    JournalEntry e = t.next();
                    assertEquals(i + 1, e.sequence());
                    assertTrue(e.hlc() > prevHlc, "sequence order == HLC order");
                    prevHlc = e.hlc();
                    int thread = (int) e.transactionId();
                    // Each thread's own appends appear in its program order, none lost.
                    assertEquals(thread + ":" + nextPerThread[thread], new String(e.payload()));
                    nextPerThread[thread]++;
                }
                assertNull(t.next());
            }
            assertTrue(Arrays.stream(nextPerThread).allMatch(c -> c == perThread));
        }
    }

    @Test
    void rejectsBadInputAndAppendsNothing() {
        try (Journal j = Journal.open(config().withMaxPayloadBytes(1000).build())) {
            JournalPartition p = j.partition("data-0");
            p.append(1, "ok", 0, new byte[1000]);
            InvalidArgumentException big = assertThrows(InvalidArgumentException.class,
                    () -> p.append(1, "r", 0, new byte[1001]));
            assertEquals("payload", big.field());
            assertTrue(big.getMessage().contains("1000") && big.getMessage().contains("1001"), big.getMessage());
            InvalidArgumentException rid = assertThrows(InvalidArgumentException.class,
                    () -> p.append(1, "é".repeat(65), 0, new byte[1]));
            assertEquals("requestId", rid.field());
            assertTrue(rid.getMessage().contains("128") && rid.getMessage().contains("130"), rid.getMessage());
            assertEquals("type", assertThrows(InvalidArgumentException.class,
                    () -> p.append(0, "r", 0, new byte[1])).field());
            assertEquals("type", assertThrows(InvalidArgumentException.class,
                    () -> p.append(256, "r", 0, new byte[1])).field());
            assertEquals("requestId", assertThrows(InvalidArgumentException.class,
                    () -> p.append(1, null, 0, new byte[1])).field());
            assertEquals("payload", assertThrows(InvalidArgumentException.class,
                    () -> p.append(1, "r", 0, null)).field());
            // A batch with one bad entry writes none of them.
            InvalidArgumentException batch = assertThrows(InvalidArgumentException.class, () -> p.appendBatch(List.of(
                    new EntryDraft(1, "a", 0, new byte[1]), new EntryDraft(1, "b", 0, new byte[1001]))));
            assertEquals("entries[1].payload", batch.field());
            assertEquals("entries", assertThrows(InvalidArgumentException.class,
                    () -> p.appendBatch(List.of())).field());
            assertEquals(1, p.headSequence(), "nothing appended by rejected calls");
            assertEquals(2, p.append(1, "next", 0, new byte[0]).sequence());
        }
        InvalidArgumentException cfg = assertThrows(InvalidArgumentException.class,
                () -> config().withMaxPayloadBytes(JournalConfig.MAX_PAYLOAD_BYTES + 1).build());
        assertEquals("maxPayloadBytes", cfg.field());
        assertEquals("partitions[1]", assertThrows(InvalidArgumentException.class,
                () -> config().withPartitions("a", "a").build()).field());
        assertEquals("partitions[0]", assertThrows(InvalidArgumentException.class,
                () -> config().withPartitions("Bad Name").build()).field());
        assertEquals("directory", assertThrows(InvalidArgumentException.class,
                () -> JournalConfig.builder(null).build()).field());
    }

    @Test
    void useAfterCloseThrowsClosed() throws Exception {
        Journal j = Journal.open(config().build());
        JournalPartition p = j.partition("data-0");
        p.append(1, "a", 0, new byte[1]);
        JournalTailer t = p.tailer();
        j.close();
        j.close(); // idempotent
        assertThrows(VecraftClosedException.class, () -> p.append(1, "b", 0, new byte[1]));
        assertThrows(VecraftClosedException.class, () -> p.appendBatch(List.of(new EntryDraft(1, "b", 0, new byte[0]))));
        assertThrows(VecraftClosedException.class, p::tailer);
        assertThrows(VecraftClosedException.class, t::next);
        assertThrows(VecraftClosedException.class, () -> j.partition("data-0"));
        assertThrows(VecraftClosedException.class, j::partitions);
        assertFalse(p.tick(0));
        assertFalse(p.awaitVisible(5, 10, TimeUnit.MILLISECONDS));
        t.close();
    }

    @Test
    void secondOpenOfTheSameDirectoryFailsClearly() {
        try (Journal j = Journal.open(config().build())) {
            j.partition("tx").append(1, "a", 0, new byte[1]);
            JournalLockedException e = assertThrows(JournalLockedException.class, () -> Journal.open(config().build()));
            assertTrue(e.getMessage().contains("journal.lock"), e.getMessage());
            // The failed open left the first journal intact.
            assertEquals(2, j.partition("tx").append(1, "b", 0, new byte[1]).sequence());
        }
        // Released at close.
        try (Journal j = Journal.open(config().build())) {
            assertEquals(2, j.partition("tx").headSequence());
        }
    }

    @Test
    void readOnlyOpenInspectsWithoutLockingAndRefusesWrites() {
        try (Journal writer = Journal.open(config().build())) {
            writer.partition("data-0").append(7, "r1", 3, new byte[]{1, 2, 3});
            try (Journal reader = Journal.open(config().withReadOnly(true).build());
                 JournalTailer t = reader.partition("data-0").tailer()) {
                JournalEntry e = t.next();
                assertEquals(7, e.type());
                assertArrayEquals(new byte[]{1, 2, 3}, e.payload());
                VecraftException refused = assertThrows(VecraftException.class,
                        () -> reader.partition("data-0").append(1, "x", 0, new byte[0]));
                assertTrue(refused.getMessage().contains("read-only"), refused.getMessage());
                assertThrows(VecraftException.class, () -> reader.partition("data-0").deleteBelow(5));
            }
            assertEquals(2, writer.partition("data-0").append(1, "r2", 0, new byte[0]).sequence());
        }
        assertThrows(NotFoundException.class,
                () -> Journal.open(JournalConfig.builder(dir.resolve("absent")).withReadOnly(true).build()));
    }

    @Test
    void reopenMustKeepPartitionOrder() {
        try (Journal j = Journal.open(config().build())) {
            j.partition("data-0").append(1, "a", 0, new byte[0]);
        }
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> Journal.open(config().withPartitions("tx", "system", "data-0").build()));
        assertEquals("partitions", e.field());
        // Adding a partition at the end is allowed.
        try (Journal j = Journal.open(config().withPartitions("system", "tx", "data-0", "data-1").build())) {
            assertEquals(3, j.partition("data-1").id());
            assertEquals(1, j.partition("data-0").headSequence());
        }
    }
}
