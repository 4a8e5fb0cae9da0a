package io.vecraft.journal;

import io.vecraft.journal.internal.EntryFormat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class EntryFormatTest {

    @Test
    void encodesEveryFieldAndDetectsAnyFlippedBit() {
        Random rnd = TestSeeds.random("encodesEveryFieldAndDetectsAnyFlippedBit");
        byte[] rid = "request-é".getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[rnd.nextInt(500)];
        rnd.nextBytes(payload);
        long hlc = HybridLogicalClock.compose(1_764_000_000_000L, 7);
        byte[] e = EntryFormat.encode(200, 513, 42, hlc, rid, -5, payload);
        assertEquals(40 + rid.length + payload.length, e.length);
        assertNull(EntryFormat.check(e, e.length));
        assertEquals(1, EntryFormat.version(e));
        assertEquals(200, EntryFormat.type(e));
        assertEquals(513, EntryFormat.partitionId(e));
        assertEquals(rid.length, EntryFormat.requestIdBytes(e));
        assertEquals(42, EntryFormat.sequence(e));
        assertEquals(hlc, EntryFormat.hlc(e));
        assertEquals(-5, EntryFormat.transactionId(e));
        assertEquals(payload.length, EntryFormat.payloadBytes(e));
        for (int i = 0; i < 200; i++) {
            int bit = rnd.nextInt(e.length * 8);
            e[bit / 8] ^= (byte) (1 << (bit % 8));
            assertNotNull(EntryFormat.check(e, e.length), "flipped bit " + bit + " detected");
            e[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        assertNotNull(EntryFormat.check(e, e.length - 1), "length mismatch detected");
    }
}
