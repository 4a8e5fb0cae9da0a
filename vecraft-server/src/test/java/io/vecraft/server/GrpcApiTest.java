package io.vecraft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.vecraft.server.grpc.v1.CollectionSpec;
import io.vecraft.server.grpc.v1.Consistency;
import io.vecraft.server.grpc.v1.CountRequest;
import io.vecraft.server.grpc.v1.CreateCollectionRequest;
import io.vecraft.server.grpc.v1.DeleteRequest;
import io.vecraft.server.grpc.v1.Eq;
import io.vecraft.server.grpc.v1.Filter;
import io.vecraft.server.grpc.v1.GetRequest;
import io.vecraft.server.grpc.v1.HistoryRequest;
import io.vecraft.server.grpc.v1.JournalRecord;
import io.vecraft.server.grpc.v1.JournalRequest;
import io.vecraft.server.grpc.v1.ListCollectionsRequest;
import io.vecraft.server.grpc.v1.Range;
import io.vecraft.server.grpc.v1.Receipt;
import io.vecraft.server.grpc.v1.Record;
import io.vecraft.server.grpc.v1.SearchRequest;
import io.vecraft.server.grpc.v1.SearchResponse;
import io.vecraft.server.grpc.v1.TransactionRequest;
import io.vecraft.server.grpc.v1.TxOperation;
import io.vecraft.server.grpc.v1.UpsertRequest;
import io.vecraft.server.grpc.v1.Value;
import io.vecraft.server.grpc.v1.VecraftServiceGrpc;
import io.vecraft.server.grpc.v1.FilterList;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC API against a real Netty server on a loopback port (no in-process transport). */
class GrpcApiTest {

    @TempDir
    static Path dir;
    static TestServer t;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        t = new TestServer(dir, b -> b);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", t.server.grpcPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        t.close();
    }

    static VecraftServiceGrpc.VecraftServiceBlockingStub stub(String key, String requestId) {
        Metadata h = new Metadata();
        if (key != null) {
            h.put(GrpcApi.AUTHORIZATION, "Bearer " + key);
        }
        if (requestId != null) {
            h.put(GrpcApi.REQUEST_ID, requestId);
        }
        return VecraftServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static Record rec(String id, float x, float y, String lang, long year) {
        return Record.newBuilder().setId(id).addVector(x).addVector(y)
                .putMetadata("lang", Value.newBuilder().setStringValue(lang).build())
                .putMetadata("year", Value.newBuilder().setLongValue(year).build()).build();
    }

    @Test
    void crudSearchHistoryAndJournalOverGrpc() {
        CollectionSpec spec = stub(t.adminKey, null).createCollection(CreateCollectionRequest.newBuilder()
                .setSpec(CollectionSpec.newBuilder().setName("g").setDimension(2)).build());
        assertEquals("L2", spec.getMetric());
        assertEquals("HNSW", spec.getIndex().getType());
        assertTrue(stub(t.readKey, null).listCollections(ListCollectionsRequest.getDefaultInstance()).getCollectionsList()
                .stream().anyMatch(c -> c.getName().equals("g")));

        Receipt r = stub(t.writeKey, "grpc-up-1").upsert(UpsertRequest.newBuilder().setCollection("g")
                .addRecords(rec("a", 1, 0, "en", 2024)).addRecords(rec("b", 0, 1, "de", 2021))
                .addRecords(rec("c", 0.9f, 0.1f, "en", 2019)).build());
        assertEquals("grpc-up-1", r.getRequestId());

        SearchResponse s = stub(t.readKey, null).search(SearchRequest.newBuilder().setCollection("g").addVector(1).addVector(0)
                .setK(3).setConsistency(Consistency.newBuilder().setLevel(Consistency.Level.STRONG))
                .setFilter(Filter.newBuilder().setAnd(FilterList.newBuilder()
                        .addFilters(Filter.newBuilder().setEq(Eq.newBuilder().setField("lang")
                                .setValue(Value.newBuilder().setStringValue("en"))))
                        .addFilters(Filter.newBuilder().setRange(Range.newBuilder().setField("year")
                                .setLower(Value.newBuilder().setLongValue(2020)).setLowerInclusive(true)))))
                .build());
        assertEquals(1, s.getHitsCount());
        assertEquals("a", s.getHits(0).getId());
        assertEquals(2024, s.getHits(0).getMetadataOrThrow("year").getLongValue());

        assertTrue(stub(t.readKey, null).get(GetRequest.newBuilder().setCollection("g").setId("b").build()).getFound());
        Receipt d = stub(t.writeKey, "grpc-del-1").delete(DeleteRequest.newBuilder().setCollection("g").addIds("b").build());
        assertFalse(stub(t.readKey, null).get(GetRequest.newBuilder().setCollection("g").setId("b").build()).getFound());
        assertTrue(stub(t.readKey, null).get(GetRequest.newBuilder().setCollection("g").setId("b").setAsOf(d.getHlc() - 1)
                .build()).getFound(), "time travel");
        var history = stub(t.readKey, null).history(HistoryRequest.newBuilder().setCollection("g").setId("b").build());
        assertEquals(2, history.getVersionsCount());
        assertEquals("grpc-up-1", history.getVersions(0).getRequestId());
        assertEquals("grpc-del-1", history.getVersions(1).getRequestId());

        Receipt tx = stub(t.writeKey, "grpc-tx-1").transaction(TransactionRequest.newBuilder()
                .addOperations(TxOperation.newBuilder().setCollection("g").setUpsert(rec("t", 2, 2, "en", 2000)))
                .addOperations(TxOperation.newBuilder().setCollection("g").setDeleteId("a")).build());
        assertTrue(tx.getTransactionId() > 0);
        assertEquals(2, stub(t.readKey, null).count(CountRequest.newBuilder().setCollection("g")
                .setConsistency(Consistency.newBuilder().setLevel(Consistency.Level.STRONG)).build()).getCount());

        Iterator<JournalRecord> it = stub(t.adminKey, null).readJournal(JournalRequest.newBuilder()
                .setPartition(tx.getPartition()).setFromSequence(tx.getSequence()).setLimit(10).build());
        JournalRecord first = it.next();
        assertEquals("grpc-tx-1", first.getRequestId());
        assertEquals(2, first.getOperationsCount());
        assertTrue(stub(t.readKey, null).now(io.vecraft.server.grpc.v1.Empty.getDefaultInstance()).getHlc() >= tx.getHlc());
    }

    @Test
    void authFailuresRateLimitsAndBadInputMapToStatusCodes() {
        StatusRuntimeException none = assertThrows(StatusRuntimeException.class,
                () -> stub(null, null).listCollections(ListCollectionsRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
        StatusRuntimeException forbidden = assertThrows(StatusRuntimeException.class,
                () -> stub(t.readKey, null).createCollection(CreateCollectionRequest.newBuilder()
                        .setSpec(CollectionSpec.newBuilder().setName("nope").setDimension(2)).build()));
        assertEquals(Status.Code.PERMISSION_DENIED, forbidden.getStatus().getCode());

        StatusRuntimeException limited = assertThrows(StatusRuntimeException.class, () -> {
            for (int i = 0; i < 10; i++) {
                stub(t.limitedKey, null).listCollections(ListCollectionsRequest.getDefaultInstance());
            }
        });
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, limited.getStatus().getCode());
        assertNotNull(limited.getTrailers().get(GrpcApi.RETRY_AFTER));

        StatusRuntimeException badId = assertThrows(StatusRuntimeException.class,
                () -> stub(t.readKey, "has space").listCollections(ListCollectionsRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badId.getStatus().getCode());
        assertTrue(badId.getStatus().getDescription().contains("X-Request-Id"), badId.getStatus().getDescription());

        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                () -> stub(t.readKey, null).count(CountRequest.newBuilder().setCollection("missing").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());

        stub(t.adminKey, null).createCollection(CreateCollectionRequest.newBuilder()
                .setSpec(CollectionSpec.newBuilder().setName("g2").setDimension(2)).build());
        StatusRuntimeException dup = assertThrows(StatusRuntimeException.class,
                () -> stub(t.adminKey, null).createCollection(CreateCollectionRequest.newBuilder()
                        .setSpec(CollectionSpec.newBuilder().setName("g2").setDimension(2)).build()));
        assertEquals(Status.Code.ALREADY_EXISTS, dup.getStatus().getCode());
        StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
                () -> stub(t.writeKey, "bad-1").upsert(UpsertRequest.newBuilder().setCollection("g2")
                        .addRecords(Record.newBuilder().setId("x").addVector(1)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertTrue(bad.getStatus().getDescription().contains("dimension"), bad.getStatus().getDescription());
        assertEquals("bad-1", bad.getTrailers().get(GrpcApi.REQUEST_ID));
        // a range bound that is not a number is bad input, not a server fault (was INTERNAL: ClassCastException)
        StatusRuntimeException range = assertThrows(StatusRuntimeException.class,
                () -> stub(t.readKey, null).search(SearchRequest.newBuilder().setCollection("g2").addVector(1)
                        .addVector(0).setK(1).setFilter(Filter.newBuilder().setRange(Range.newBuilder().setField("year")
                                .setLower(Value.newBuilder().setStringValue("x")))).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, range.getStatus().getCode());
        assertTrue(range.getStatus().getDescription().contains("range.lower"), range.getStatus().getDescription());

        UpsertRequest.Builder huge = UpsertRequest.newBuilder().setCollection("g2");
        for (int i = 0; i < 20_000; i++) {
            huge.addRecords(rec("h" + i, i, 1, "xx", i));
        }
        StatusRuntimeException tooBig = assertThrows(StatusRuntimeException.class, () -> stub(t.writeKey, null).upsert(huge.build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooBig.getStatus().getCode(), tooBig.toString());
    }
}
