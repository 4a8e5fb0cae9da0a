package io.vecraft.journal;

import java.util.Random;

/**
 * Seeded randomness for property-style tests: every test prints its seed, and
 * {@code -Dvecraft.seed=N} (passed with {@code -Dvecraft.test.jvm="-Dvecraft.seed=N"}) replays it.
 */
final class TestSeeds {
    private TestSeeds() {
    }

    /**
     * @param test a name for the printed line
     * @return a generator seeded from {@code vecraft.seed} or the clock
     */
    static Random random(String test) {
        long seed = Long.getLong("vecraft.seed", System.nanoTime());
        System.out.println(test + ": seed=" + seed + " (replay with -Dvecraft.seed=" + seed + ")");
        return new Random(seed);
    }

    /** @return true when the long-running scale is requested ({@code -Plong}) */
    static boolean longRun() {
        return Boolean.getBoolean("vecraft.test.long");
    }
}
