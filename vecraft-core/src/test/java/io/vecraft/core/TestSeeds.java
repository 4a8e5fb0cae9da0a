package io.vecraft.core;

import java.util.SplittableRandom;

/**
 * Seeds for property-style tests: a fixed seed per repetition unless {@code -Dvecraft.seed=N}
 * replays one. Every test prints the seed it used, so a failure can be replayed.
 */
final class TestSeeds {
    private TestSeeds() {
    }

    /**
     * @param test       test name, printed with the seed
     * @param repetition repetition index (mixes into the default seed)
     * @return a seeded generator
     */
    static SplittableRandom random(String test, int repetition) {
        String forced = System.getProperty("vecraft.seed");
        long seed = forced != null ? Long.parseLong(forced) : 0x5EEDL * 31 + test.hashCode() * 1_000_003L + repetition;
        System.out.println("[seed] " + test + " #" + repetition + " seed=" + seed + " (replay with -Dvecraft.seed=" + seed + ")");
        return new SplittableRandom(seed);
    }
}
