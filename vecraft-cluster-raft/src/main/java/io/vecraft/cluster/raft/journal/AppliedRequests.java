package io.vecraft.cluster.raft.journal;

import java.nio.charset.StandardCharsets;
import org.agrona.collections.Long2LongHashMap;

/**
 * The request ids of the last {@link #WINDOW} sequences applied to one journal partition, so that an
 * append retried at a new leader is recognised as the entry it already is (exactly-once appends
 * across leader changes, within the window).
 *
 * <p>Each request id is kept as a 64-bit hash mapped to the latest sequence that carried it; a hit
 * is only a candidate, which the caller confirms against the journal entry at that sequence, so a
 * hash collision can at worst hide a duplicate, never invent one. The content depends only on the
 * applied entries (rebuilt from the journal after a restart or a snapshot installation), so every
 * member decides alike.
 *
 * <p>Thread-safe (synchronised): the state machine's apply thread records, the proposer looks up.
 */
final class AppliedRequests {
    /** Sequences remembered per partition (about 1.5 MiB of memory at most). */
    static final int WINDOW = 65_536;

    private final int window;
    /** Hash of the request id of sequence s at {@code s % window}; 0 for none. */
    private final long[] ring;
    private final Long2LongHashMap latest = new Long2LongHashMap(0);
    private long last;

    AppliedRequests() {
        this(WINDOW);
    }

    AppliedRequests(int window) {
        this.window = window;
        this.ring = new long[window];
    }

    /** Forgets everything; the next sequence recorded may be any. */
    synchronized void clear() {
        java.util.Arrays.fill(ring, 0);
        latest.clear();
        last = 0;
    }

    /**
     * Records an applied entry; sequences are recorded in increasing order.
     *
     * @param sequence  its sequence
     * @param requestId its request id, null or empty for none
     */
    synchronized void record(long sequence, String requestId) {
        if (sequence <= last) {
            throw new IllegalStateException("sequence " + sequence + " recorded after " + last);
        }
        // Sequences skipped over (none while applying in order) fall out of the window like the others.
        for (long s = Math.max(last + 1, sequence - window + 1); s <= sequence; s++) {
            int slot = (int) Math.floorMod(s, (long) window);
            long old = ring[slot];
            if (old != 0 && latest.get(old) == s - window) {
                latest.remove(old);
            }
            ring[slot] = 0;
        }
        if (requestId != null && !requestId.isEmpty()) {
            long h = hash(requestId);
            ring[(int) Math.floorMod(sequence, (long) window)] = h;
            latest.put(h, sequence);
        }
        last = sequence;
    }

    /**
     * @param requestId a request id
     * @return the latest remembered sequence whose request id may be {@code requestId}, or 0
     */
    synchronized long candidate(String requestId) {
        if (requestId == null || requestId.isEmpty()) {
            return 0;
        }
        return latest.get(hash(requestId));
    }

    /** @return the last sequence recorded, 0 if none */
    synchronized long last() {
        return last;
    }

    /** FNV-1a over the UTF-8 bytes, never 0 (0 marks an empty slot). */
    static long hash(String requestId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : requestId.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h == 0 ? 1 : h;
    }
}
