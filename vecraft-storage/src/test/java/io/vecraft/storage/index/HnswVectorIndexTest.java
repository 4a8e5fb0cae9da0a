package io.vecraft.storage.index;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.storage.testing.Seeds;
import io.vecraft.storage.vector.VectorScorer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HnswVectorIndexTest extends VectorIndexContractTest {

    @Override
    VectorIndex create(VectorScorer scorer) {
        return HnswVectorIndex.create(scorer, 16, 100, 32, 16);
    }

    @Test
    void savedGraphLoadsWithoutRebuildAndAnswersIdentically() {
        Path file = dir.resolve("graph.bin");
        int n = 2000;
        float[][] queries = new float[20][];
        SearchResults[] before = new SearchResults[queries.length];
        try (VectorIndex index = filled(n)) {
            for (int o = 0; o < 100; o++) {
                index.remove(o);
            }
            assertTrue(index.save(file) > 0);
            for (int i = 0; i < queries.length; i++) {
                queries[i] = Seeds.vector(rnd, DIM);
                before[i] = index.search(queries[i], 10, 0, null);
            }
        }
        HnswVectorIndex loaded = HnswVectorIndex.load(file, scorer, 16, 100, 32);
        assertEquals(n - 100, loaded.size());
        assertEquals(n, loaded.nodeCount());
        for (int i = 0; i < queries.length; i++) {
            SearchResults after = loaded.search(queries[i], 10, 0, null);
            assertEquals(before[i].size(), after.size());
            for (int j = 0; j < after.size(); j++) {
                assertEquals(before[i].ordinal(j), after.ordinal(j));
            }
        }
        // the loaded graph keeps growing (its capacity is full after load)
        store.write(n, new float[DIM]);
        loaded.add(n);
        assertEquals(n, loaded.search(new float[DIM], 1, 0, null).ordinal(0));
        assertThrows(InvalidArgumentException.class, () -> HnswVectorIndex.load(file, scorer, 8, 100, 32));
    }

    @Test
    void corruptGraphFileIsReportedWithItsName() throws Exception {
        Path file = dir.resolve("graph.bin");
        try (VectorIndex index = filled(50)) {
            index.save(file);
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] ^= 1;
        Files.write(file, bytes);
        CorruptedDataException e = assertThrows(CorruptedDataException.class,
                () -> HnswVectorIndex.load(file, scorer, 16, 100, 32));
        assertEquals(file.toString(), e.location());
        bytes[0] ^= 1;
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(CorruptedDataException.class, () -> HnswVectorIndex.load(file, scorer, 16, 100, 32));
    }
}
