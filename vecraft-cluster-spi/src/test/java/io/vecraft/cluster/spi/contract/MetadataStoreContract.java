package io.vecraft.cluster.spi.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.VersionConflictException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MetadataStore} must do. A provider's test extends this class and returns a
 * store (fresh or with a unique key prefix per test).
 */
public abstract class MetadataStoreContract {

    /** @return the store under test */
    protected abstract MetadataStore store();

    /** @return a prefix no other test uses, ending with '/' */
    protected abstract String prefix();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void versionsCountPutsAndCompareAndSetIsEnforced() {
        MetadataStore m = store();
        String k = prefix() + "a";
        assertTrue(m.get(k).isEmpty());
        assertEquals(1, m.put(k, b("1"), MetadataStore.ABSENT, 0));
        assertThrows(VersionConflictException.class, () -> m.put(k, b("x"), MetadataStore.ABSENT, 0));
        assertThrows(VersionConflictException.class, () -> m.put(k, b("x"), 7, 0));
        assertEquals(2, m.put(k, b("2"), 1, 0));
        assertEquals(3, m.put(k, b("3"), MetadataStore.ANY_VERSION, 0));
        MetadataStore.KeyValue kv = m.get(k).orElseThrow();
        assertArrayEquals(b("3"), kv.value());
        assertEquals(3, kv.version());
        assertThrows(VersionConflictException.class, () -> m.delete(k, 2));
        assertTrue(m.delete(k, 3));
        assertFalse(m.delete(k, MetadataStore.ANY_VERSION));
        assertEquals(1, m.put(k, b("again"), MetadataStore.ABSENT, 0), "a re-created key starts at version 1");
    }

    @Test
    void listReturnsThePrefixInKeyOrder() {
        MetadataStore m = store();
        String p = prefix();
        for (String k : List.of("c", "a", "b")) {
            m.put(p + "list/" + k, b(k), MetadataStore.ANY_VERSION, 0);
        }
        m.put(p + "listing", b("not under list/"), MetadataStore.ANY_VERSION, 0);
        List<MetadataStore.KeyValue> kvs = m.list(p + "list/");
        assertEquals(List.of(p + "list/a", p + "list/b", p + "list/c"), kvs.stream().map(MetadataStore.KeyValue::key).toList());
    }

    @Test
    void watchDeliversTheSnapshotThenEveryChangeInOrder() throws Exception {
        MetadataStore m = store();
        String p = prefix() + "w/";
        m.put(p + "existing", b("0"), MetadataStore.ANY_VERSION, 0);
        BlockingQueue<MetadataStore.WatchEvent> events = new LinkedBlockingQueue<>();
        try (AutoCloseable w = m.watch(p, events::add)) {
            MetadataStore.WatchEvent snap = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(snap);
            assertEquals(p + "existing", snap.key());
            assertEquals(MetadataStore.WatchEvent.Type.PUT, snap.type());
            m.put(p + "x", b("1"), MetadataStore.ANY_VERSION, 0);
            m.put(p + "x", b("2"), MetadataStore.ANY_VERSION, 0);
            m.put(prefix() + "elsewhere", b("-"), MetadataStore.ANY_VERSION, 0);
            m.delete(p + "existing", MetadataStore.ANY_VERSION);
            MetadataStore.WatchEvent e1 = events.poll(10, TimeUnit.SECONDS);
            MetadataStore.WatchEvent e2 = events.poll(10, TimeUnit.SECONDS);
            MetadataStore.WatchEvent e3 = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(e3);
            assertEquals(List.of("PUT " + p + "x 1", "PUT " + p + "x 2", "DELETE " + p + "existing 0"),
                    List.of(e1.type() + " " + e1.key() + " " + e1.version(), e2.type() + " " + e2.key() + " "
                            + e2.version(), e3.type() + " " + e3.key() + " " + e3.version()));
            assertArrayEquals(b("2"), e2.value());
            assertTrue(e1.revision() < e2.revision() && e2.revision() < e3.revision(), "revisions increase");
        }
    }

    @Test
    void keysOnALeaseGoWhenItIsRevokedOrExpires() throws Exception {
        MetadataStore m = store();
        String p = prefix() + "lease/";
        long lease = m.grantLease(Duration.ofSeconds(30));
        assertTrue(lease > 0);
        m.put(p + "a", b("a"), MetadataStore.ANY_VERSION, lease);
        assertTrue(m.keepAlive(lease));
        m.revoke(lease);
        assertTrue(m.get(p + "a").isEmpty(), "revoking deletes the lease's keys");
        assertFalse(m.keepAlive(lease), "a revoked lease cannot be kept alive");

        long shortLease = m.grantLease(Duration.ofMillis(200));
        BlockingQueue<MetadataStore.WatchEvent> events = new LinkedBlockingQueue<>();
        try (AutoCloseable w = m.watch(p, events::add)) {
            m.put(p + "b", b("b"), MetadataStore.ANY_VERSION, shortLease);
            MetadataStore.WatchEvent put = events.poll(10, TimeUnit.SECONDS);
            assertEquals(MetadataStore.WatchEvent.Type.PUT, put.type());
            MetadataStore.WatchEvent gone = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(gone, "the key expires with its lease");
            assertEquals(MetadataStore.WatchEvent.Type.DELETE, gone.type());
            assertEquals(p + "b", gone.key());
        }
        assertFalse(m.keepAlive(shortLease), "an expired lease cannot be kept alive");
    }
}
