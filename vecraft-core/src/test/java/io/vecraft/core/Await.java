package io.vecraft.core;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, parking between checks (no busy spin, no fixed sleep). */
final class Await {
    private Await() {
    }

    /**
     * @param condition what to wait for
     * @param timeout   longest wait
     * @return whether the condition became true
     */
    static boolean until(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(1_000_000L);
        }
        return true;
    }
}
