package io.vecraft.cluster.spi.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class WalCodecTest {

    private static SplittableRandom random(int repetition) {
        String forced = System.getProperty("vecraft.seed");
        long seed = forced != null ? Long.parseLong(forced) : 9_001L + repetition;
        System.out.println("[seed] WalCodecTest seed=" + seed);
        return new SplittableRandom(seed);
    }

    static List<OpGroup> randomGroups(SplittableRandom rnd) {
        List<OpGroup> groups = new ArrayList<>();
        int n = 1 + rnd.nextInt(4);
        for (int g = 0; g < n; g++) {
            List<WalOp> ops = new ArrayList<>();
            int m = 1 + rnd.nextInt(5);
            for (int i = 0; i < m; i++) {
                String id = "id-" + rnd.nextInt(1000) + (rnd.nextBoolean() ? "é✓" : "");
                if (rnd.nextInt(4) == 0) {
                    ops.add(new WalOp.Delete(id));
                } else {
                    float[] v = new float[1 + rnd.nextInt(64)];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = (float) rnd.nextGaussian();
                    }
                    Map<String, Object> md = new LinkedHashMap<>();
                    if (rnd.nextBoolean()) {
                        md.put("s", "text" + rnd.nextInt());
                        md.put("l", rnd.nextLong());
                        md.put("d", rnd.nextDouble());
                        md.put("b", rnd.nextBoolean());
                        md.put("list", List.of("a", 1L, 2.5, true));
                    }
                    ops.add(new WalOp.Upsert(id, v, md, rnd.nextBoolean() ? null : "doc " + rnd.nextInt()));
                }
            }
            groups.add(new OpGroup(rnd.nextLong(), rnd.nextInt(8), ops));
        }
        return groups;
    }

    private static void assertSameOps(List<WalOp> want, List<WalOp> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            WalOp a = want.get(i);
            WalOp b = got.get(i);
            assertEquals(a.id(), b.id());
            assertEquals(a.getClass(), b.getClass());
            if (a instanceof WalOp.Upsert u) {
                WalOp.Upsert v = (WalOp.Upsert) b;
                assertArrayEquals(u.vector(), v.vector());
                assertEquals(u.metadata(), v.metadata());
                assertEquals(u.document(), v.document());
            }
        }
    }

    @RepeatedTest(50)
    void groupsRoundTrip(RepetitionInfo info) {
        SplittableRandom rnd = random(info.getCurrentRepetition());
        List<OpGroup> groups = randomGroups(rnd);
        byte[] payload = WalCodec.encodeGroups(groups);
        List<OpGroup> decoded = WalCodec.decodeGroups(payload, "p", 1);
        assertEquals(groups.size(), decoded.size());
        for (int i = 0; i < groups.size(); i++) {
            assertEquals(groups.get(i).collectionUid(), decoded.get(i).collectionUid());
            assertEquals(groups.get(i).shard(), decoded.get(i).shard());
            assertSameOps(groups.get(i).ops(), decoded.get(i).ops());
        }
        OpGroup pick = groups.get(rnd.nextInt(groups.size()));
        List<WalOp> expected = new ArrayList<>();
        for (OpGroup g : groups) {
            if (g.collectionUid() == pick.collectionUid() && g.shard() == pick.shard()) {
                expected.addAll(g.ops());
            }
        }
        assertSameOps(expected, WalCodec.decodeForShard(payload, pick.collectionUid(), pick.shard(), "p", 1));
        assertEquals(List.of(), WalCodec.decodeForShard(payload, 12345, 99, "p", 1));
    }

    @RepeatedTest(30)
    void truncatedOrDamagedPayloadIsReportedNotMisread(RepetitionInfo info) {
        SplittableRandom rnd = random(100 + info.getCurrentRepetition());
        byte[] payload = WalCodec.encodeGroups(randomGroups(rnd));
        byte[] cut = Arrays.copyOf(payload, rnd.nextInt(payload.length));
        CorruptedDataException e = assertThrows(CorruptedDataException.class,
                () -> WalCodec.decodeGroups(cut, "data-0", 77));
        assertEquals("data-0", e.location());
        assertEquals(77, e.position());
        byte[] badVersion = payload.clone();
        badVersion[0] = 9;
        assertThrows(CorruptedDataException.class, () -> WalCodec.decodeGroups(badVersion, "data-0", 1));
    }

    @Test
    void ddlRoundTrip() {
        CollectionSpec spec = new CollectionSpec("docs", 384, Metric.COSINE, IndexSpec.hnsw(32, 100, 50), 4);
        CreateCollectionEntry c = new CreateCollectionEntry(spec, Map.of(1, 10L, 2, 20L));
        CreateCollectionEntry back = WalCodec.decodeCreate(WalCodec.encodeCreate(c), "system", 1);
        assertEquals(spec, back.spec());
        assertEquals(c.startSequences(), back.startSequences());
        CollectionSpec exact = new CollectionSpec("e", 3, Metric.DOT, IndexSpec.exact(), 1);
        assertEquals(exact, WalCodec.decodeCreate(WalCodec.encodeCreate(new CreateCollectionEntry(exact, Map.of())),
                "system", 2).spec());
        DropCollectionEntry d = new DropCollectionEntry(123456789L, "docs");
        assertEquals(d, WalCodec.decodeDrop(WalCodec.encodeDrop(d), "system", 3));
    }
}
