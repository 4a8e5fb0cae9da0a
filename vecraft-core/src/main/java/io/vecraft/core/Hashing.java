package io.vecraft.core;

import java.nio.charset.StandardCharsets;

/**
 * Stable hash functions for placement. Shard placement is persistent (records live in the shard
 * their id hashes to), so these functions must never change: {@link #shardOf} is FNV-1a 64 over
 * the id's UTF-8 bytes, finished with the murmur3 fmix64 mixer, modulo the shard count.
 *
 * <p>Stateless and thread-safe.
 */
final class Hashing {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Hashing() {
    }

    /**
     * @param id     record id
     * @param shards shard count, at least 1
     * @return the shard index of {@code id}
     */
    static int shardOf(String id, int shards) {
        if (shards == 1) {
            return 0;
        }
        long h = FNV_OFFSET;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= FNV_PRIME;
        }
        return (int) Math.floorMod(mix64(h), (long) shards);
    }

    /** murmur3 fmix64. */
    static long mix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
