package io.vecraft.storage.index;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.storage.testing.Seeds;
import io.vecraft.storage.vector.VectorScorer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GraphVectorIndex}: the {@link VectorIndex} contract plus its structure, file format and filters. */
class GraphVectorIndexTest extends VectorIndexContractTest {

    @Override
    VectorIndex create(VectorScorer scorer) {
        return GraphVectorIndex.create(scorer, 16, 100, 32);
    }

    @Test
    void graphRespectsDegreeBoundsAndLevelInvariant() {
        try (GraphVectorIndex g = (GraphVectorIndex) filled(3000)) {
            assertEquals(3000, g.nodeCount());
            assertTrue(g.topLevel() >= 1, "3000 nodes with M=16 should have an upper level");
            int upperNodes = 0;
            for (int o = 0; o < 3000; o++) {
                int lv = g.level(o);
                assertTrue(lv >= 0);
                if (lv > 0) {
                    upperNodes++;
                }
                for (int l = 0; l <= lv; l++) {
                    int[] nbs = g.neighbours(o, l);
                    assertTrue(nbs.length <= (l == 0 ? 32 : 16), "degree of " + o + " on level " + l);
                    Set<Integer> distinct = new HashSet<>();
                    for (int nb : nbs) {
                        assertTrue(nb != o, "self loop at " + o);
                        assertTrue(g.level(nb) >= l, "edge to a lower-level node");
                        assertTrue(distinct.add(nb), "duplicate edge " + o + "->" + nb);
                    }
                }
                assertTrue(g.neighbours(o, 0).length > 0, "isolated node " + o);
            }
            // mL = 1/ln(16): about 1/16 of the nodes reach level 1
            assertTrue(upperNodes > 3000 / 32 && upperNodes < 3000 / 8, "upper-level nodes " + upperNodes);
        }
    }

    @Test
    void savedGraphLoadsWithoutRebuildAndAnswersIdentically() {
        Path file = dir.resolve("hnsw-graph.bin");
        int n = 2000;
        float[][] queries = new float[30][];
        SearchResults[] before = new SearchResults[queries.length];
        SearchResults[] beforeFiltered = new SearchResults[queries.length];
        IntPredicate odd = o -> (o & 1) == 1;
        GraphVectorIndex index = (GraphVectorIndex) filled(n);
        for (int o = 0; o < 100; o++) {
            index.remove(o);
        }
        long written = index.save(file);
        assertEquals(written, sizeOf(file));
        for (int i = 0; i < queries.length; i++) {
            queries[i] = Seeds.vector(rnd, DIM);
            before[i] = index.search(queries[i], 10, 0, null);
            beforeFiltered[i] = index.search(queries[i], 10, 0, odd);
        }
        GraphVectorIndex loaded = GraphVectorIndex.load(file, scorer, 16, 100, 32);
        assertEquals(n - 100, loaded.size());
        assertEquals(n, loaded.nodeCount());
        assertEquals(index.topLevel(), loaded.topLevel());
        for (int o = 0; o < n; o++) {
            assertEquals(index.level(o), loaded.level(o));
            assertEquals(index.contains(o), loaded.contains(o));
            for (int l = 0; l <= index.level(o); l++) {
                assertArrayEquals(index.neighbours(o, l), loaded.neighbours(o, l), "node " + o + " level " + l);
            }
        }
        for (int i = 0; i < queries.length; i++) {
            assertSame(before[i], loaded.search(queries[i], 10, 0, null));
            assertSame(beforeFiltered[i], loaded.search(queries[i], 10, 0, odd));
        }
        // both keep growing the same way (the level generator state is saved too)
        for (int o = n; o < n + 200; o++) {
            store.write(o, Seeds.vector(rnd, DIM));
            index.add(o);
            loaded.add(o);
        }
        for (int o = 0; o < n + 200; o++) {
            for (int l = 0; l <= index.level(o); l++) {
                assertArrayEquals(index.neighbours(o, l), loaded.neighbours(o, l), "after growth: node " + o);
            }
        }
        assertThrows(InvalidArgumentException.class, () -> GraphVectorIndex.load(file, scorer, 8, 100, 32));
        assertThrows(InvalidArgumentException.class, () -> GraphVectorIndex.load(file, scorer, 16, 101, 32));
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertSame(SearchResults a, SearchResults b) {
        assertEquals(a.size(), b.size());
        for (int j = 0; j < a.size(); j++) {
            assertEquals(a.ordinal(j), b.ordinal(j));
            assertEquals(a.distance(j), b.distance(j));
        }
    }

    @Test
    void emptyGraphRoundTrips() {
        Path file = dir.resolve("empty.bin");
        try (GraphVectorIndex g = GraphVectorIndex.create(scorer, 8, 32, 16)) {
            g.save(file);
        }
        GraphVectorIndex loaded = GraphVectorIndex.load(file, scorer, 8, 32, 16);
        assertEquals(0, loaded.size());
        assertEquals(-1, loaded.topLevel());
        store.write(0, new float[DIM]);
        loaded.add(0);
        assertEquals(0, loaded.search(new float[DIM], 1, 0, null).ordinal(0));
    }

    @Test
    void everyCorruptedByteIsDetectedWithFileAndOffset() throws Exception {
        Path file = dir.resolve("g.bin");
        try (VectorIndex index = filled(5000)) { // two blocks of 4096 ordinals
            index.save(file);
        }
        byte[] good = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        long block1 = GraphVectorIndex.HEADER_BYTES;
        long block2 = block1 + 8 + b.getInt((int) block1);
        // a flipped byte anywhere: header, block length, body, CRC
        int[] positions = {0, 9, 30, 44, 61, (int) block1 + 1, (int) block1 + 100, (int) block2 - 2,
            (int) block2 + 3, (int) block2 + 50, good.length - 1};
        for (int pos : positions) {
            byte[] bad = good.clone();
            bad[pos] ^= 0x10;
            Files.write(file, bad);
            CorruptedDataException e = assertThrows(CorruptedDataException.class,
                    () -> GraphVectorIndex.load(file, scorer, 16, 100, 32), "flip at " + pos);
            assertEquals(file.toString(), e.location());
            long expected = pos < GraphVectorIndex.HEADER_BYTES ? -2 : pos < block2 ? block1 : block2;
            if (expected >= 0) {
                assertEquals(expected, e.position(), "offset reported for a flip at " + pos + ": " + e.getMessage());
            } else {
                assertTrue(e.position() >= 0 && e.position() < GraphVectorIndex.HEADER_BYTES, e.getMessage());
            }
        }
        // truncated, and with trailing garbage
        Files.write(file, Arrays.copyOf(good, good.length - 7));
        assertEquals(block2, assertThrows(CorruptedDataException.class,
                () -> GraphVectorIndex.load(file, scorer, 16, 100, 32)).position());
        Files.write(file, Arrays.copyOf(good, good.length + 3));
        assertEquals(good.length, assertThrows(CorruptedDataException.class,
                () -> GraphVectorIndex.load(file, scorer, 16, 100, 32)).position());
        Files.write(file, Arrays.copyOf(good, 20));
        assertThrows(CorruptedDataException.class, () -> GraphVectorIndex.load(file, scorer, 16, 100, 32));
    }

    @Test
    void structurallyInvalidGraphWithValidCrcIsRejected() throws Exception {
        Path file = dir.resolve("g.bin");
        try (VectorIndex index = filled(300)) {
            index.save(file);
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int body = GraphVectorIndex.HEADER_BYTES + 4;
        // node 0: flags, level, then count and the first neighbour; point it outside the graph
        int level = bytes[body + 1];
        int count = Short.toUnsignedInt(b.getShort(body + 2));
        assertTrue(count > 0 && level >= 0);
        b.putInt(body + 4, 999_999);
        int bodyLength = b.getInt(GraphVectorIndex.HEADER_BYTES);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, body, bodyLength);
        b.putInt(body + bodyLength, (int) crc.getValue());
        Files.write(file, bytes);
        CorruptedDataException e = assertThrows(CorruptedDataException.class,
                () -> GraphVectorIndex.load(file, scorer, 16, 100, 32));
        assertEquals(GraphVectorIndex.HEADER_BYTES, e.position());
        assertTrue(e.getMessage().contains("999999"), e.getMessage());
    }

    @Test
    void filteredSearchReturnsExactlyKAtHalfAPercentSelectivity() {
        int n = 4000;
        try (VectorIndex index = filled(n)) {
            IntPredicate rare = o -> o % 200 == 7; // 20 of 4000 = 0.5 %
            IntPredicate tenth = o -> o % 10 == 3;
            for (int t = 0; t < 20; t++) {
                float[] q = Seeds.vector(rnd, DIM);
                for (IntPredicate p : new IntPredicate[] {rare, tenth}) {
                    for (int k : new int[] {1, 10, 20}) {
                        SearchResults r = index.search(q, k, 0, p);
                        SearchResults want = exact(scorer, q, k, n, p);
                        assertEquals(k, r.size());
                        int hits = 0;
                        Set<Integer> truth = new HashSet<>();
                        for (int i = 0; i < want.size(); i++) {
                            truth.add(want.ordinal(i));
                        }
                        for (int i = 0; i < r.size(); i++) {
                            assertTrue(p.test(r.ordinal(i)));
                            if (truth.contains(r.ordinal(i))) {
                                hits++;
                            }
                        }
                        assertTrue(hits >= k * 8 / 10, "filtered recall " + hits + "/" + k);
                    }
                }
                assertEquals(20, index.search(q, 25, 0, rare).size(), "only 20 match");
            }
        }
    }

    @Test
    void removedNodesStillRouteAndReAddReclaimsTheNode() {
        int n = 2000;
        GraphVectorIndex g = (GraphVectorIndex) filled(n);
        for (int o = 0; o < n; o += 3) {
            g.remove(o);
        }
        int live = g.size();
        assertEquals(n, g.nodeCount());
        for (int t = 0; t < 20; t++) {
            SearchResults r = g.search(Seeds.vector(rnd, DIM), 10, 0, null);
            assertEquals(10, r.size());
            for (int i = 0; i < r.size(); i++) {
                assertFalse(r.ordinal(i) % 3 == 0, "removed ordinal returned");
            }
        }
        // reuse every removed ordinal with a new vector: the node count does not grow
        int levelBefore = g.level(0);
        for (int o = 0; o < n; o += 3) {
            store.write(o, Seeds.vector(rnd, DIM));
            g.add(o);
        }
        assertEquals(n, g.nodeCount());
        assertEquals(n, g.size());
        assertTrue(g.level(0) >= levelBefore, "a reclaimed node keeps at least its level");
        int self = 0;
        for (int o = 0; o < n; o += 3) {
            SearchResults r = g.search(store.read(o), 1, 64, null);
            if (r.ordinal(0) == o) {
                self++;
            }
        }
        assertTrue(self >= (n / 3) * 95 / 100, "re-added nodes are findable: " + self + " of " + (n / 3 + 1)
                + " (live before re-add " + live + ")");
    }

    @Test
    void nodesAddedAfterEveryNodeWasRemovedAreStillLinkedIntoTheGraph() {
        GraphVectorIndex g = (GraphVectorIndex) filled(500);
        for (int o = 0; o < 500; o++) {
            g.remove(o);
        }
        for (int o = 500; o < 1500; o++) { // fresh ordinals: the removed nodes are not reclaimed
            store.write(o, Seeds.vector(rnd, DIM));
            g.add(o);
        }
        int self = 0;
        for (int o = 500; o < 1500; o++) {
            assertTrue(g.neighbours(o, 0).length > 0, "node " + o + " has no neighbours");
            if (g.search(store.read(o), 1, 32, null).ordinal(0) == o) {
                self++;
            }
        }
        assertTrue(self >= 980, "self-recall " + self + "/1000");
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(InvalidArgumentException.class, () -> GraphVectorIndex.create(scorer, 1, 100, 10));
        assertThrows(InvalidArgumentException.class, () -> GraphVectorIndex.create(scorer, 16, 0, 10));
        assertThrows(InvalidArgumentException.class, () -> GraphVectorIndex.create(scorer, 16, 100, 0));
        try (GraphVectorIndex g = GraphVectorIndex.create(scorer, 4, 10, 10)) {
            store.write(0, new float[DIM]);
            g.add(0);
            assertThrows(IllegalStateException.class, () -> g.add(0));
        }
    }
}
