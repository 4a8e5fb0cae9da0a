package io.vecraft.cluster.spi.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.AlreadyExistsException;
import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.Filter;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.EntryMessage;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.ReadBatch;
import io.vecraft.cluster.spi.ReplicaHit;
import io.vecraft.cluster.spi.ReplicaQuery;
import io.vecraft.cluster.spi.ReplicaStatus;
import io.vecraft.cluster.spi.ReplicaVersion;
import io.vecraft.cluster.spi.ShardId;
import io.vecraft.cluster.spi.VersionConflictException;
import io.vecraft.cluster.spi.Watermark;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    private static <T> T roundTrip(T value, BiConsumer<WireWriter, T> put, Function<WireReader, T> get) {
        WireWriter w = WireFormat.ok();
        put.accept(w, value);
        WireReader r = WireFormat.response(w.toByteArray());
        T back = get.apply(r);
        assertEquals(0, r.remaining(), "every byte consumed");
        return back;
    }

    @Test
    void everyValueRoundTrips() {
        EntryMessage e = new EntryMessage(3, 42, 7L << 16, 2, "req-é", 9, new byte[] {1, 2, 3});
        EntryMessage e2 = roundTrip(e, WireFormat::putEntry, WireFormat::getEntry);
        assertEquals(e.sequence(), e2.sequence());
        assertEquals(e.requestId(), e2.requestId());
        assertArrayEquals(e.payload(), e2.payload());
        assertEquals(new AppendAck(1, "tx", 5, 6), roundTrip(new AppendAck(1, "tx", 5, 6), WireFormat::putAppendAck,
                WireFormat::getAppendAck));
        assertEquals(new Watermark(5, 9), roundTrip(new Watermark(5, 9), WireFormat::putWatermark, WireFormat::getWatermark));
        ReadBatch b = roundTrip(new ReadBatch(List.of(e, e), new Watermark(1, 2)), WireFormat::putReadBatch,
                WireFormat::getReadBatch);
        assertEquals(2, b.entries().size());
        ReplicaStatus st = new ReplicaStatus("n1", new ShardId(77, 3), 123, Map.of(1, 5L, 2, 6L), false, "boom");
        assertEquals(st, roundTrip(st, WireFormat::putReplicaStatus, WireFormat::getReplicaStatus));

        Filter f = Filter.and(Filter.eq("lang", "en"), Filter.or(Filter.in("year", 2020, 2021), Filter.not(
                Filter.documentContains("x"))), Filter.between("score", 1.5, 2), Filter.gt("n", 3), Filter.eq("b", true));
        ReplicaQuery q = roundTrip(new ReplicaQuery(new float[] {1, 2}, 7, f, 99, 50, true, false, true),
                WireFormat::putReplicaQuery, WireFormat::getReplicaQuery);
        assertEquals(f, q.filter());
        assertArrayEquals(new float[] {1, 2}, q.vector());
        assertTrue(q.withVector() && !q.withMetadata() && q.withDocument());
        assertNull(roundTrip(new ReplicaQuery(new float[] {1}, 1, null, 1, 0, false, false, false),
                WireFormat::putReplicaQuery, WireFormat::getReplicaQuery).filter());

        Map<String, Object> md = Map.of("s", "t", "l", 5L, "d", 2.5, "b", false, "list", List.of("a", 1L));
        ReplicaHit h = roundTrip(new ReplicaHit("id", 0.5f, 3, new float[] {4}, md, "doc"), WireFormat::putReplicaHit,
                WireFormat::getReplicaHit);
        assertEquals(md, h.metadata());
        assertEquals("doc", h.document());
        ReplicaVersion v = roundTrip(new ReplicaVersion("id", true, 1, 2, 3, 4, "r", 5, null, Map.of(), null),
                WireFormat::putReplicaVersion, WireFormat::getReplicaVersion);
        assertTrue(v.delete());
        assertNull(v.vector());
        assertNull(v.document());
        MetadataStore.KeyValue kv = roundTrip(new MetadataStore.KeyValue("k", new byte[] {9}, 2, 3, 4),
                WireFormat::putKeyValue, WireFormat::getKeyValue);
        assertEquals(2, kv.version());
        MetadataStore.WatchEvent we = roundTrip(new MetadataStore.WatchEvent(MetadataStore.WatchEvent.Type.DELETE, "k",
                new byte[0], 0, 8), WireFormat::putWatchEvent, WireFormat::getWatchEvent);
        assertEquals(MetadataStore.WatchEvent.Type.DELETE, we.type());
    }

    @Test
    void unknownVersionsAreRefusedClearly() {
        byte[] future = WireFormat.message(WireFormat.J_APPEND).toByteArray();
        future[0] = 2;
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> WireFormat.open(future));
        assertEquals("wire.version", e.field());
        assertTrue(e.getMessage().contains("unknown wire format version 2"), e.getMessage());
        assertThrows(InvalidArgumentException.class, () -> WireFormat.open(new byte[] {1}));
    }

    @Test
    void errorsCrossTheWireAsTheSameKind() {
        assertInstanceOf(NotFoundException.class, decode(new NotFoundException("collection", "c")));
        assertEquals("c", ((NotFoundException) decode(new NotFoundException("collection", "c"))).name());
        assertEquals("k", ((InvalidArgumentException) decode(new InvalidArgumentException("k", "bad"))).field());
        assertEquals("bad", decode(new InvalidArgumentException("k", "bad")).getMessage().substring(3));
        assertEquals("c", ((AlreadyExistsException) decode(new AlreadyExistsException("collection", "c"))).name());
        VersionConflictException vc = (VersionConflictException) decode(new VersionConflictException("key", 3, 4));
        assertEquals(3, vc.expected());
        assertEquals(4, vc.actual());
        assertEquals(12, ((CorruptedDataException) decode(new CorruptedDataException("f", 12, "x"))).position());
        assertInstanceOf(VecraftTimeoutException.class, decode(new VecraftTimeoutException("t")));
        assertEquals("n1", ((NodeUnavailableException) decode(new NodeUnavailableException("n1", "down"))).address());
        assertInstanceOf(VecraftException.class, decode(new IllegalStateException("internal")));
    }

    private static VecraftException decode(Throwable t) {
        return assertThrows(VecraftException.class, () -> WireFormat.response(WireFormat.error(t)));
    }
}
