package io.vecraft.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts operations in flight on a resource and lets one closer wait until none is, so files are
 * never unmapped under a running search or write. {@link #enter()} fails once closing started.
 *
 * <p>Thread-safe and lock-free on enter/exit (one CAS each).
 */
final class Gate {
    private static final long CLOSED = 1L << 62;

    private final AtomicLong state = new AtomicLong();
    private final Object monitor = new Object();

    /** @return true if the caller may proceed (and must call {@link #exit()}), false if closing */
    boolean enter() {
        while (true) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    void exit() {
        long s = state.decrementAndGet();
        if (s == CLOSED) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    /** @return true once {@link #close} has been called */
    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /**
     * Refuses new entries and waits until every entered operation has exited.
     *
     * @param timeout longest wait
     * @param unit    unit of {@code timeout}
     * @return true if none is in flight any more, false on timeout
     */
    boolean close(long timeout, TimeUnit unit) {
        while (true) {
            long s = state.get();
            if ((s & CLOSED) != 0 || state.compareAndSet(s, s | CLOSED)) {
                break;
            }
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (monitor) {
            while (state.get() != CLOSED) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }
}
