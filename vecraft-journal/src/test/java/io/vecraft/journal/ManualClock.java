package io.vecraft.journal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A wall clock that tests step by hand (forwards or backwards). Thread-safe. */
final class ManualClock implements LongSupplier {
    private final AtomicLong millis;

    ManualClock(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    @Override
    public long getAsLong() {
        return millis.get();
    }

    void set(long value) {
        millis.set(value);
    }

    void advance(long delta) {
        millis.addAndGet(delta);
    }
}
