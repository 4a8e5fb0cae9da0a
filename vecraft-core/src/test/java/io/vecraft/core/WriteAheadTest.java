package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.Vecraft;
import io.vecraft.api.spi.ForceObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests of the write-ahead rule in BATCH and ASYNC mode, where appliers see journal entries
 * before they are forced: nothing that records applied journal sequences (a shard checkpoint, the catalog,
 * a collection's start sequences) may reach the disk before those entries do. Without it a power loss
 * leaves a checkpoint ahead of the journal, the journal hands the lost sequences out again and the shard
 * skips the new writes that get them.
 */
class WriteAheadTest {
    @TempDir
    Path dir;

    @AfterEach
    void uninstall() {
        ForceObserver.uninstall();
    }

    private static List<String> record() {
        List<String> forces = Collections.synchronizedList(new ArrayList<>());
        ForceObserver.install(new ForceObserver() {
            @Override
            public void afterForce(Path path, Kind kind) {
                forces.add(path.getParent().getFileName() + "/" + path.getFileName());
            }
        });
        return forces;
    }

    private static int first(List<String> forces, String suffix, int from) {
        synchronized (forces) {
            for (int i = from; i < forces.size(); i++) {
                if (forces.get(i).endsWith(suffix) || forces.get(i).contains(suffix)) {
                    return i;
                }
            }
        }
        return -1;
    }

    @Test
    void asyncCheckpointForcesTheJournalFirst() {
        List<String> forces = record();
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).withDataPartitions(1)
                .withMaxEntryBytes(1 << 20).withCheckpointInterval(Duration.ofDays(1)).open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", KillWorkload.DIMENSION).withShards(1));
            for (int i = 0; i < 20; i++) {
                c.upsert(KillWorkload.record("w" + i, 0, "r" + i));
            }
            int mark = forces.size();
            db.checkpoint();
            int journal = first(forces, ".cq4", mark);
            int vectors = first(forces, "vectors.dat", mark);
            int manifest = first(forces, "manifest-", mark);
            assertTrue(journal >= 0, "the checkpoint forced the journal: " + forces.subList(mark, forces.size()));
            assertTrue(journal < vectors && vectors < manifest, "journal, then shard files, then manifest: "
                    + forces.subList(mark, forces.size()));
        }
    }

    @Test
    void batchCollectionCreationForcesItsStartSequencesAndEntryBeforeTheCatalog() {
        List<String> forces = record();
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.batch(Duration.ofHours(1)))
                .withDataPartitions(1).withMaxEntryBytes(1 << 20).open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", KillWorkload.DIMENSION).withShards(1));
            for (int i = 0; i < 20; i++) {
                c.upsert(KillWorkload.record("w" + i, 0, "r" + i)); // unforced: the flusher waits an hour
            }
            int mark = forces.size();
            db.createCollection(CollectionSpec.of("d", KillWorkload.DIMENSION).withShards(1));
            int data = first(forces, "data-0/", mark);
            int system = first(forces, "system/", mark);
            int catalog = first(forces, "catalog.bin", mark);
            List<String> seen = forces.subList(mark, forces.size());
            assertTrue(data >= 0 && system >= 0 && catalog >= 0, seen.toString());
            assertTrue(data < catalog && system < catalog, "journal before catalog: " + seen);
        }
    }
}
