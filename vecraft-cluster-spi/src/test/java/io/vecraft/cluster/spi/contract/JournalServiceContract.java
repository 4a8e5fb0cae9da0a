package io.vecraft.cluster.spi.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.NotFoundException;
import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.EntryMessage;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.ReadBatch;
import io.vecraft.cluster.spi.Watermark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JournalService} must do. A provider's test extends this class and returns a
 * service whose partitions start empty (a fresh cluster per test class is fine: the tests only
 * rely on what they append themselves).
 */
public abstract class JournalServiceContract {

    /** @return the service under test */
    protected abstract JournalService journal();

    /** @return a partition the test may append to */
    protected String partition() {
        return journal().partitions().get(journal().partitions().size() - 1);
    }

    private static long seed() {
        String forced = System.getProperty("vecraft.seed");
        long seed = forced != null ? Long.parseLong(forced) : 1234;
        System.out.println("[seed] JournalServiceContract seed=" + seed);
        return seed;
    }

    @Test
    void appendsGetDenseSequencesAndIncreasingHlcsAndReadBackIntact() {
        JournalService j = journal();
        String p = partition();
        SplittableRandom rnd = new SplittableRandom(seed());
        List<AppendAck> acks = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] payload = new byte[rnd.nextInt(2_000)];
            rnd.nextBytes(payload);
            payloads.add(payload);
            acks.add(j.append(p, 1 + rnd.nextInt(4), "req-" + i, i % 3, payload));
        }
        for (int i = 1; i < acks.size(); i++) {
            assertEquals(acks.get(i - 1).sequence() + 1, acks.get(i).sequence(), "dense sequences");
            assertTrue(acks.get(i - 1).hlc() < acks.get(i).hlc(), "HLC increases with the sequence");
            assertEquals(p, acks.get(i).partition());
        }
        long first = acks.get(0).sequence();
        List<EntryMessage> read = new ArrayList<>();
        while (read.size() < 50) {
            ReadBatch b = j.read(p, first + read.size(), 17, Duration.ofSeconds(5));
            assertFalse(b.entries().isEmpty(), "committed entries are readable");
            read.addAll(b.entries());
        }
        for (int i = 0; i < 50; i++) {
            EntryMessage e = read.get(i);
            assertEquals(acks.get(i).sequence(), e.sequence());
            assertEquals(acks.get(i).hlc(), e.hlc());
            assertEquals("req-" + i, e.requestId());
            assertEquals(i % 3, e.transactionId());
            assertArrayEquals(payloads.get(i), e.payload());
        }
    }

    @Test
    void watermarkCoversEverythingAppendedAndPrecedesEverythingLater() {
        JournalService j = journal();
        String p = partition();
        AppendAck a = j.append(p, 1, "w1", 0, new byte[] {1});
        Watermark w = j.watermark(p);
        assertTrue(w.sequence() >= a.sequence());
        assertTrue(w.hlc() > a.hlc(), "the watermark is a fresh clock reading");
        AppendAck b = j.append(p, 1, "w2", 0, new byte[] {2});
        assertTrue(b.hlc() > w.hlc(), "entries after the watermark get a larger HLC");
        assertTrue(b.sequence() > w.sequence());
    }

    @Test
    void readWaitsForTheNextCommittedEntry() throws Exception {
        JournalService j = journal();
        String p = partition();
        long next = j.watermark(p).sequence() + 1;
        ReadBatch empty = j.read(p, next, 10, Duration.ofMillis(50));
        assertTrue(empty.entries().isEmpty(), "nothing to read yet");
        CompletableFuture<ReadBatch> waiting = CompletableFuture.supplyAsync(() -> j.read(p, next, 10, Duration.ofSeconds(10)));
        AppendAck a = j.append(p, 2, "late", 0, new byte[] {42});
        ReadBatch got = waiting.get(20, TimeUnit.SECONDS);
        assertEquals(1, got.entries().size());
        assertEquals(a.sequence(), got.entries().get(0).sequence());
    }

    @Test
    void streamsDeliverCommittedEntriesInOrder() {
        JournalService j = journal();
        String p = partition();
        long from = j.watermark(p).sequence() + 1;
        try (JournalService.EntryStream s = j.stream(p, from, 4)) {
            List<AppendAck> acks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                acks.add(j.append(p, 1, "s" + i, 0, new byte[] {(byte) i}));
            }
            for (AppendAck a : acks) {
                EntryMessage e = s.poll(Duration.ofSeconds(10));
                assertNotNull(e, "entry " + a.sequence());
                assertEquals(a.sequence(), e.sequence());
                assertEquals(a.hlc(), e.hlc());
            }
        }
    }

    @Test
    void unknownPartitionsAreRejectedClearly() {
        assertThrows(NotFoundException.class, () -> journal().append("no-such-partition", 1, "r", 0, new byte[0]));
        assertTrue(journal().firstSequence(partition()) >= 1);
    }
}
