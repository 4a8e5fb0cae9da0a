package io.vecraft.journal;

import io.vecraft.journal.internal.EntryFormat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

    @Test
    void headerEncodedAtAnOffsetReadsBackFieldByFieldAndWritesNothingOutsideIt() {
        Random rnd = TestSeeds.random("headerEncodedAtAnOffsetReadsBackFieldByField");
        for (int i = 0; i < 1000; i++) {
            int type = rnd.nextInt(256);
            int partition = rnd.nextInt(65536);
            int rid = rnd.nextInt(129);
            long seq = rnd.nextLong();
            long hlc = rnd.nextLong();
            long tx = rnd.nextLong();
            int payload = rnd.nextInt(Integer.MAX_VALUE);
            int off = rnd.nextInt(16);
            byte[] dst = new byte[off + EntryFormat.HEADER_BYTES + 3];
            Arrays.fill(dst, (byte) 0x5A);
            EntryFormat.encodeHeader(dst, off, type, partition, rid, seq, hlc, tx, payload);
            byte[] h = Arrays.copyOfRange(dst, off, off + EntryFormat.HEADER_BYTES);
            String at = "header " + i;
            assertEquals(EntryFormat.VERSION, EntryFormat.version(h), at);
            assertEquals(type, EntryFormat.type(h), at);
            assertEquals(partition, EntryFormat.partitionId(h), at);
            assertEquals(rid, EntryFormat.requestIdBytes(h), at);
            assertEquals(seq, EntryFormat.sequence(h), at);
            assertEquals(hlc, EntryFormat.hlc(h), at);
            assertEquals(tx, EntryFormat.transactionId(h), at);
            assertEquals(payload, EntryFormat.payloadBytes(h), at);
            for (int j = 0; j < off; j++) {
                assertEquals((byte) 0x5A, dst[j], "no byte written before the header");
            }
            assertEquals((byte) 0x5A, dst[off + EntryFormat.HEADER_BYTES], "no byte written past the header");
        }
    }
}
