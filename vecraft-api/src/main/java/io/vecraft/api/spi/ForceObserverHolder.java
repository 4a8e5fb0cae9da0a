package io.vecraft.api.spi;

/** Storage of the JVM-wide {@link ForceObserver}. Thread-safe (one volatile field). */
final class ForceObserverHolder {
    static volatile ForceObserver current;

    private ForceObserverHolder() {
    }
}
