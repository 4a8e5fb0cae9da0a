package io.vecraft.storage.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdIndexTest {

    @TempDir
    Path dir;

    @Test
    void growsPastItsCapacityWhileReadersLookUpAndReleasesOldMaps() throws Exception {
        ReaderEpochs epochs = new ReaderEpochs();
        IdIndex ids = IdIndex.create(dir, 1024, 8, epochs);
        AtomicInteger published = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                while (published.get() < 10_000) {
                    int n = published.get();
                    if (n == 0) {
                        continue;
                    }
                    int i = (int) (Math.random() * n);
                    epochs.enter();
                    try {
                        if (ids.get("id-" + i) != i) {
                            throw new AssertionError("id-" + i + " -> " + ids.get("id-" + i));
                        }
                    } finally {
                        epochs.exit();
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "vecraft-test-reader");
        reader.start();
        for (int i = 0; i < 10_000; i++) {
            ids.put("id-" + i, i);
            published.set(i + 1);
        }
        reader.join(60_000);
        assertFalse(reader.isAlive());
        assertNull(failure.get(), () -> String.valueOf(failure.get()));
        assertTrue(ids.capacity() >= 10_000 * 100 / IdIndex.GROW_AT_PERCENT, "capacity " + ids.capacity());
        assertEquals(10_000, ids.size());
        ids.put("id-5", 77);
        assertEquals(77, ids.get("id-5"));
        ids.remove("id-6");
        assertEquals(-1, ids.get("id-6"));
        ids.releaseRetired();
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "old maps closed and deleted once no reader holds them");
        }
        ids.close();
        ids.close();
    }
}
