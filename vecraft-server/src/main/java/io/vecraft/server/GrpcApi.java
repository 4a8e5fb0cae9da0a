package io.vecraft.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vecraft.api.AckLevel;
import io.vecraft.api.AlreadyExistsException;
import io.vecraft.api.AuditLog;
import io.vecraft.api.CapacityException;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.JournalRecord;
import io.vecraft.api.Metric;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.RecordVersion;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchResult;
import io.vecraft.api.Session;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.api.WriteOptions;
import io.vecraft.server.grpc.v1.Clock;
import io.vecraft.server.grpc.v1.CountRequest;
import io.vecraft.server.grpc.v1.CountResponse;
import io.vecraft.server.grpc.v1.CreateCollectionRequest;
import io.vecraft.server.grpc.v1.DeleteOp;
import io.vecraft.server.grpc.v1.DeleteRequest;
import io.vecraft.server.grpc.v1.DropCollectionRequest;
import io.vecraft.server.grpc.v1.Empty;
import io.vecraft.server.grpc.v1.FilterList;
import io.vecraft.server.grpc.v1.GetRequest;
import io.vecraft.server.grpc.v1.GetResponse;
import io.vecraft.server.grpc.v1.HistoryRequest;
import io.vecraft.server.grpc.v1.HistoryResponse;
import io.vecraft.server.grpc.v1.JournalOperation;
import io.vecraft.server.grpc.v1.JournalRequest;
import io.vecraft.server.grpc.v1.ListCollectionsRequest;
import io.vecraft.server.grpc.v1.ListCollectionsResponse;
import io.vecraft.server.grpc.v1.Receipt;
import io.vecraft.server.grpc.v1.SearchResponse;
import io.vecraft.server.grpc.v1.TransactionRequest;
import io.vecraft.server.grpc.v1.TxOperation;
import io.vecraft.server.grpc.v1.UpsertOp;
import io.vecraft.server.grpc.v1.UpsertRequest;
import io.vecraft.server.grpc.v1.Value;
import io.vecraft.server.grpc.v1.ValueList;
import io.vecraft.server.grpc.v1.VecraftServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The gRPC front end ({@code vecraft.v1.VecraftService}, see {@code src/main/proto/vecraft.proto}):
 * a Netty server on its own port whose interceptor applies the same API keys, roles and rate
 * limits as HTTP, carries {@code x-request-id} into write receipts and the log context, and times
 * every call into the shared registry.
 *
 * <p>Thread-safe; calls run on a pool of {@code vecraft-grpc-<n>} threads.
 */
final class GrpcApi extends VecraftServiceGrpc.VecraftServiceImplBase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcApi.class);

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

    private static final Context.Key<String> CTX_REQUEST_ID = Context.key("vecraft-request-id");
    private static final Context.Key<String> CTX_CALLER = Context.key("vecraft-caller");

    /** Role each method needs (bare method names as in the .proto). */
    private static final Map<String, Role> ROLES = Map.ofEntries(
            Map.entry("CreateCollection", Role.ADMIN), Map.entry("DropCollection", Role.ADMIN),
            Map.entry("ReadJournal", Role.ADMIN), Map.entry("ListCollections", Role.READ),
            Map.entry("Upsert", Role.WRITE), Map.entry("Delete", Role.WRITE), Map.entry("Transaction", Role.WRITE),
            Map.entry("Get", Role.READ), Map.entry("Search", Role.READ), Map.entry("Count", Role.READ),
            Map.entry("History", Role.READ), Map.entry("Now", Role.READ));

    private final Vecraft db;
    private final Server server;
    private final ExecutorService executor;

    GrpcApi(Vecraft db, Gatekeeper gate, ServerConfig config, MeterRegistry meters, OperationLog operations) {
        this.db = db;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(config.maxThreads(), r -> {
            Thread t = new Thread(r, "vecraft-grpc-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ServerCredentials creds;
        try {
            creds = config.tls()
                    ? TlsServerCredentials.create(config.tlsCertificate().get().toFile(), config.tlsPrivateKey().get().toFile())
                    : InsecureServerCredentials.create();
        } catch (IOException e) {
            throw new InvalidArgumentException("server.tls", "cannot read the PEM files for gRPC: " + e.getMessage());
        }
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.grpcPort()), creds)
                .executor(executor)
                .maxInboundMessageSize(config.maxBodyBytes())
                .addService(ServerInterceptors.intercept(this, new Guard(gate, meters, operations)))
                .build();
    }

    void start() throws IOException {
        server.start();
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------ interceptor

    /** Authentication, authorisation, rate limit, request id, metrics. */
    private static final class Guard implements ServerInterceptor {
        private final Gatekeeper gate;
        private final MeterRegistry meters;
        private final OperationLog operations;

        Guard(Gatekeeper gate, MeterRegistry meters, OperationLog operations) {
            this.gate = gate;
            this.meters = meters;
            this.operations = operations;
        }

        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                           ServerCallHandler<Q, A> next) {
            long start = System.nanoTime();
            String method = call.getMethodDescriptor().getBareMethodName();
            String requestIdHeader = headers.get(REQUEST_ID);
            String requestId = HttpApi.requestId(requestIdHeader);
            String[] callerName = {"-"};
            ServerCall<Q, A> timed = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                @Override
                public void sendHeaders(Metadata h) {
                    h.put(REQUEST_ID, requestId);
                    super.sendHeaders(h);
                }

                @Override
                public void close(Status status, Metadata trailers) {
                    long nanos = System.nanoTime() - start;
                    Timer.builder("vecraft.server.requests").description("requests answered by the gateway")
                            .tag("protocol", "grpc").tag("method", "POST").tag("route", method)
                            .tag("status", status.getCode().name()).register(meters).record(nanos, TimeUnit.NANOSECONDS);
                    operations.add(new OperationLog.Entry(Instant.now(), "grpc", method, status.getCode().name(),
                            requestId, callerName[0], TimeUnit.NANOSECONDS.toMicros(nanos)));
                    super.close(status, trailers);
                }
            };
            Gatekeeper.Caller caller;
            try {
                try {
                    HttpApi.checkRequestId(requestIdHeader);
                } catch (InvalidArgumentException e) {
                    throw new ApiError(400, "invalid-argument", "Invalid argument", e.getMessage());
                }
                String auth = headers.get(AUTHORIZATION);
                String key = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7) : headers.get(API_KEY);
                caller = gate.authenticate(key);
                callerName[0] = caller.name();
                gate.authorize(caller, ROLES.getOrDefault(method, Role.ADMIN), method);
                gate.admit(caller);
            } catch (ApiError e) {
                Metadata trailers = new Metadata();
                trailers.put(REQUEST_ID, requestId);
                if (e.retryAfterSeconds > 0) {
                    trailers.put(RETRY_AFTER, Long.toString(e.retryAfterSeconds));
                }
                Status s = switch (e.status) {
                    case 401 -> Status.UNAUTHENTICATED;
                    case 403 -> Status.PERMISSION_DENIED;
                    case 429 -> Status.RESOURCE_EXHAUSTED;
                    default -> Status.INVALID_ARGUMENT;
                };
                timed.close(s.withDescription(e.getMessage()), trailers);
                return new ServerCall.Listener<>() {
                };
            }
            Context ctx = Context.current().withValue(CTX_REQUEST_ID, requestId).withValue(CTX_CALLER, caller.name());
            return Contexts.interceptCall(ctx, timed, headers, next);
        }
    }

    // ------------------------------------------------------------------ calls

    private static <T> void unary(StreamObserver<T> out, Supplier<T> body) {
        String requestId = CTX_REQUEST_ID.get();
        MDC.put("requestId", requestId);
        MDC.put("caller", CTX_CALLER.get());
        try {
            T result = body.get();
            out.onNext(result);
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(status(e, requestId));
        } finally {
            MDC.remove("requestId");
            MDC.remove("caller");
        }
    }

    static StatusRuntimeException status(Throwable e, String requestId) {
        Status s;
        if (e instanceof InvalidArgumentException) {
            s = Status.INVALID_ARGUMENT;
        } else if (e instanceof NotFoundException) {
            s = Status.NOT_FOUND;
        } else if (e instanceof AlreadyExistsException) {
            s = Status.ALREADY_EXISTS;
        } else if (e instanceof CapacityException) {
            s = Status.RESOURCE_EXHAUSTED;
        } else if (e instanceof VecraftTimeoutException) {
            s = Status.DEADLINE_EXCEEDED;
        } else if (e instanceof VecraftClosedException) {
            s = Status.UNAVAILABLE;
        } else {
            LOG.warn("gRPC call failed (request {}): {}", requestId, e.toString(), e);
            s = Status.INTERNAL;
        }
        Metadata trailers = new Metadata();
        trailers.put(REQUEST_ID, requestId);
        return s.withDescription(e.getMessage()).asRuntimeException(trailers);
    }

    private static WriteOptions writeOptions(String ackLevel) {
        WriteOptions o = WriteOptions.defaults().withRequestId(CTX_REQUEST_ID.get());
        if (!ackLevel.isEmpty()) {
            try {
                o = o.withAckLevel(AckLevel.valueOf(ackLevel.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new InvalidArgumentException("ack_level", "must be APPLIED or DURABLE, was '" + ackLevel + "'");
            }
        }
        return o;
    }

    @Override
    public void createCollection(CreateCollectionRequest request, StreamObserver<io.vecraft.server.grpc.v1.CollectionSpec> out) {
        unary(out, () -> specProto(db.createCollection(spec(request.getSpec())).spec()));
    }

    @Override
    public void listCollections(ListCollectionsRequest request, StreamObserver<ListCollectionsResponse> out) {
        unary(out, () -> {
            ListCollectionsResponse.Builder b = ListCollectionsResponse.newBuilder();
            db.listCollections().forEach(s -> b.addCollections(specProto(s)));
            return b.build();
        });
    }

    @Override
    public void dropCollection(DropCollectionRequest request, StreamObserver<Empty> out) {
        unary(out, () -> {
            db.dropCollection(request.getName());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void upsert(UpsertRequest request, StreamObserver<Receipt> out) {
        unary(out, () -> {
            if (request.getRecordsCount() == 0) {
                throw new InvalidArgumentException("records", "must hold at least one record");
            }
            List<Record> records = new ArrayList<>(request.getRecordsCount());
            for (int i = 0; i < request.getRecordsCount(); i++) {
                records.add(record(request.getRecords(i), "records[" + i + "]"));
            }
            return receipt(db.collection(request.getCollection()).upsert(records, writeOptions(request.getAckLevel())));
        });
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> out) {
        unary(out, () -> {
            ReadOptions o = ReadOptions.defaults();
            Consistency c = consistency(request.getConsistency());
            if (c != null) {
                o = o.withConsistency(c);
            }
            if (request.getAsOf() != 0) {
                o = o.asOf(request.getAsOf());
            }
            return db.collection(request.getCollection()).get(Record.checkId(request.getId()), o)
                    .map(r -> GetResponse.newBuilder().setFound(true).setRecord(recordProto(r)).build())
                    .orElse(GetResponse.newBuilder().setFound(false).build());
        });
    }

    @Override
    public void delete(DeleteRequest request, StreamObserver<Receipt> out) {
        unary(out, () -> {
            if (request.getIdsCount() == 0) {
                throw new InvalidArgumentException("ids", "must hold at least one id");
            }
            List<String> ids = new ArrayList<>(request.getIdsList());
            ids.forEach(Record::checkId);
            return receipt(db.collection(request.getCollection()).delete(ids, writeOptions(request.getAckLevel())));
        });
    }

    @Override
    public void search(io.vecraft.server.grpc.v1.SearchRequest request, StreamObserver<SearchResponse> out) {
        unary(out, () -> {
            float[] v = new float[request.getVectorCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = request.getVector(i);
            }
            io.vecraft.api.SearchRequest r = io.vecraft.api.SearchRequest.of(v, request.getK());
            if (request.hasFilter()) {
                r = r.withFilter(filter(request.getFilter(), "filter"));
            }
            Consistency c = consistency(request.getConsistency());
            if (c != null) {
                r = r.withConsistency(c);
            }
            if (request.getAsOf() != 0) {
                r = r.asOf(request.getAsOf());
            }
            if (request.getEf() != 0) {
                r = r.withEf(request.getEf());
            }
            r = r.includeVector(request.getIncludeVector())
                    .includeMetadata(!request.hasIncludeMetadata() || request.getIncludeMetadata())
                    .includeDocument(!request.hasIncludeDocument() || request.getIncludeDocument());
            SearchResult result = db.collection(request.getCollection()).search(r);
            SearchResponse.Builder b = SearchResponse.newBuilder().setSnapshotHlc(result.snapshotHlc());
            for (SearchHit h : result.hits()) {
                io.vecraft.server.grpc.v1.SearchHit.Builder hb = io.vecraft.server.grpc.v1.SearchHit.newBuilder()
                        .setId(h.id()).setDistance(h.distance()).setVersionHlc(h.versionHlc());
                h.vector().ifPresent(vec -> {
                    for (float f : vec) {
                        hb.addVector(f);
                    }
                });
                h.metadata().forEach((k, val) -> hb.putMetadata(k, value(val)));
                h.document().ifPresent(hb::setDocument);
                b.addHits(hb);
            }
            return b.build();
        });
    }

    @Override
    public void count(CountRequest request, StreamObserver<CountResponse> out) {
        unary(out, () -> {
            ReadOptions o = ReadOptions.defaults();
            Consistency c = consistency(request.getConsistency());
            if (c != null) {
                o = o.withConsistency(c);
            }
            return CountResponse.newBuilder().setCount(db.collection(request.getCollection()).count(o)).build();
        });
    }

    @Override
    public void history(HistoryRequest request, StreamObserver<HistoryResponse> out) {
        unary(out, () -> {
            HistoryResponse.Builder b = HistoryResponse.newBuilder();
            for (RecordVersion v : db.collection(request.getCollection()).history(Record.checkId(request.getId()))) {
                io.vecraft.server.grpc.v1.RecordVersion.Builder vb = io.vecraft.server.grpc.v1.RecordVersion.newBuilder()
                        .setId(v.id()).setOperation(v.operation().name()).setHlc(v.hlc()).setPartition(v.partition())
                        .setSequence(v.sequence()).setRequestId(v.requestId() == null ? "" : v.requestId())
                        .setTransactionId(v.transactionId())
                        .setSupersededHlc(v.supersededHlc() == Long.MAX_VALUE ? 0 : v.supersededHlc());
                v.record().ifPresent(r -> vb.setRecord(recordProto(r)));
                b.addVersions(vb);
            }
            return b.build();
        });
    }

    @Override
    public void transaction(TransactionRequest request, StreamObserver<Receipt> out) {
        unary(out, () -> {
            if (request.getOperationsCount() == 0) {
                throw new InvalidArgumentException("operations", "must be non-empty");
            }
            List<Object[]> ops = new ArrayList<>();
            for (int i = 0; i < request.getOperationsCount(); i++) {
                TxOperation op = request.getOperations(i);
                String f = "operations[" + i + "]";
                switch (op.getOpCase()) {
                    case UPSERT -> ops.add(new Object[] {op.getCollection(), record(op.getUpsert(), f + ".upsert")});
                    case DELETE_ID -> ops.add(new Object[] {op.getCollection(), Record.checkId(op.getDeleteId())});
                    default -> throw new InvalidArgumentException(f, "needs upsert or delete_id");
                }
            }
            WriteOptions options = writeOptions(request.getAckLevel());
            return receipt(db.transaction(tx -> {
                for (Object[] p : ops) {
                    if (p[1] instanceof Record r) {
                        tx.upsert((String) p[0], r);
                    } else {
                        tx.delete((String) p[0], (String) p[1]);
                    }
                }
            }, options));
        });
    }

    @Override
    public void readJournal(JournalRequest request, StreamObserver<io.vecraft.server.grpc.v1.JournalRecord> out) {
        String requestId = CTX_REQUEST_ID.get();
        int limit = request.getLimit() == 0 ? RestRoutes.MAX_JOURNAL_LIMIT : request.getLimit();
        try {
            if (limit < 1 || limit > RestRoutes.MAX_JOURNAL_LIMIT) {
                throw new InvalidArgumentException("limit", "must be 1 to " + RestRoutes.MAX_JOURNAL_LIMIT + ", was " + limit);
            }
            AuditLog log = db.journal();
            try (AuditLog.Cursor c = request.getPartition().isEmpty() ? log.readFromHlc(request.getFromHlc())
                    : log.read(request.getPartition(), Math.max(1, request.getFromSequence()))) {
                for (int n = 0; n < limit && c.hasNext(); n++) {
                    out.onNext(journalProto(c.next()));
                }
            }
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(status(e, requestId));
        }
    }

    @Override
    public void now(Empty request, StreamObserver<Clock> out) {
        unary(out, () -> Clock.newBuilder().setHlc(db.now()).build());
    }

    // ------------------------------------------------------------------ conversions

    static Value value(Object v) {
        if (v instanceof String s) {
            return Value.newBuilder().setStringValue(s).build();
        }
        if (v instanceof Long l) {
            return Value.newBuilder().setLongValue(l).build();
        }
        if (v instanceof Double d) {
            return Value.newBuilder().setDoubleValue(d).build();
        }
        if (v instanceof Boolean b) {
            return Value.newBuilder().setBoolValue(b).build();
        }
        if (v instanceof List<?> list) {
            ValueList.Builder b = ValueList.newBuilder();
            list.forEach(o -> b.addValues(value(o)));
            return Value.newBuilder().setListValue(b).build();
        }
        throw new IllegalArgumentException("unexpected metadata value " + v);
    }

    static Object object(Value v, String field) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> v.getStringValue();
            case LONG_VALUE -> v.getLongValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case BOOL_VALUE -> v.getBoolValue();
            case LIST_VALUE -> {
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < v.getListValue().getValuesCount(); i++) {
                    out.add(object(v.getListValue().getValues(i), field + "[" + i + "]"));
                }
                yield out;
            }
            default -> throw new InvalidArgumentException(field, "value is not set");
        };
    }

    static Record record(io.vecraft.server.grpc.v1.Record r, String field) {
        float[] v = new float[r.getVectorCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.getVector(i);
        }
        Map<String, Object> md = new LinkedHashMap<>();
        r.getMetadataMap().forEach((k, val) -> md.put(k, object(val, field + ".metadata." + k)));
        return Record.of(r.getId(), v, md, r.hasDocument() ? r.getDocument() : null);
    }

    static io.vecraft.server.grpc.v1.Record recordProto(Record r) {
        io.vecraft.server.grpc.v1.Record.Builder b = io.vecraft.server.grpc.v1.Record.newBuilder().setId(r.id());
        for (float f : r.vector()) {
            b.addVector(f);
        }
        r.metadata().forEach((k, val) -> b.putMetadata(k, value(val)));
        r.document().ifPresent(b::setDocument);
        return b.build();
    }

    static CollectionSpec spec(io.vecraft.server.grpc.v1.CollectionSpec s) {
        Metric metric;
        try {
            metric = s.getMetric().isEmpty() ? Metric.L2 : Metric.valueOf(s.getMetric().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("collection.metric", "must be one of L2, COSINE, DOT, was '" + s.getMetric() + "'");
        }
        IndexSpec index = IndexSpec.hnsw();
        if (s.hasIndex()) {
            String type = s.getIndex().getType().toUpperCase(Locale.ROOT);
            if (type.equals("EXACT")) {
                index = IndexSpec.exact();
            } else if (type.isEmpty() || type.equals("HNSW")) {
                var i = s.getIndex();
                index = IndexSpec.hnsw(i.getM() == 0 ? IndexSpec.DEFAULT_M : i.getM(),
                        i.getEfConstruction() == 0 ? IndexSpec.DEFAULT_EF_CONSTRUCTION : i.getEfConstruction(),
                        i.getEf() == 0 ? IndexSpec.DEFAULT_EF : i.getEf());
            } else {
                throw new InvalidArgumentException("collection.index.type", "must be HNSW or EXACT, was '" + type + "'");
            }
        }
        return new CollectionSpec(s.getName(), s.getDimension(), metric, index, s.getShards());
    }

    static io.vecraft.server.grpc.v1.CollectionSpec specProto(CollectionSpec s) {
        io.vecraft.server.grpc.v1.IndexSpec.Builder ib = io.vecraft.server.grpc.v1.IndexSpec.newBuilder();
        if (s.index() instanceof IndexSpec.Hnsw h) {
            ib.setType("HNSW").setM(h.m()).setEfConstruction(h.efConstruction()).setEf(h.ef());
        } else {
            ib.setType("EXACT");
        }
        return io.vecraft.server.grpc.v1.CollectionSpec.newBuilder().setName(s.name()).setDimension(s.dimension())
                .setMetric(s.metric().name()).setIndex(ib).setShards(s.shards()).build();
    }

    static Consistency consistency(io.vecraft.server.grpc.v1.Consistency c) {
        switch (c.getLevel()) {
            case LEVEL_UNSPECIFIED:
            case UNRECOGNIZED:
                return null;
            case EVENTUAL:
                return Consistency.EVENTUAL;
            case STRONG:
                return Consistency.STRONG;
            case BOUNDED:
                if (c.getMaxStalenessMs() < 0) {
                    throw new InvalidArgumentException("consistency.max_staleness_ms", "must be >= 0");
                }
                return Consistency.bounded(Duration.ofMillis(c.getMaxStalenessMs()));
            case READ_YOUR_WRITES:
                Session s = new Session();
                if (c.getSessionHlc() > 0) {
                    s.observeHlc(c.getSessionHlc());
                }
                return Consistency.readYourWrites(s);
            default:
                return null;
        }
    }

    static Filter filter(io.vecraft.server.grpc.v1.Filter f, String field) {
        return switch (f.getOpCase()) {
            case EQ -> Filter.eq(f.getEq().getField(), object(f.getEq().getValue(), field + ".eq.value"));
            case IN -> {
                List<Object> vals = new ArrayList<>();
                for (int i = 0; i < f.getIn().getValuesCount(); i++) {
                    vals.add(object(f.getIn().getValues(i), field + ".in.values[" + i + "]"));
                }
                yield Filter.in(f.getIn().getField(), vals);
            }
            case RANGE -> {
                var r = f.getRange();
                yield new Filter.Range(r.getField(),
                        r.hasLower() ? number(object(r.getLower(), field + ".range.lower"), field + ".range.lower") : null,
                        r.getLowerInclusive(),
                        r.hasUpper() ? number(object(r.getUpper(), field + ".range.upper"), field + ".range.upper") : null,
                        r.getUpperInclusive());
            }
            case AND -> Filter.and(filters(f.getAnd(), field + ".and"));
            case OR -> Filter.or(filters(f.getOr(), field + ".or"));
            case NOT -> Filter.not(filter(f.getNot(), field + ".not"));
            case DOCUMENT_CONTAINS -> Filter.documentContains(f.getDocumentContains());
            default -> throw new InvalidArgumentException(field, "no operator set");
        };
    }

    private static Number number(Object v, String field) {
        if (v instanceof Number n) {
            return n;
        }
        throw new InvalidArgumentException(field, "a range bound must be a number, was "
                + (v == null ? "null" : v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT)));
    }

    private static Filter[] filters(FilterList list, String field) {
        Filter[] out = new Filter[list.getFiltersCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = filter(list.getFilters(i), field + "[" + i + "]");
        }
        return out;
    }

    static Receipt receipt(io.vecraft.api.Receipt r) {
        return Receipt.newBuilder().setPartition(r.partition()).setSequence(r.sequence()).setHlc(r.hlc())
                .setRequestId(r.requestId() == null ? "" : r.requestId()).setTransactionId(r.transactionId()).build();
    }

    static io.vecraft.server.grpc.v1.JournalRecord journalProto(JournalRecord r) {
        io.vecraft.server.grpc.v1.JournalRecord.Builder b = io.vecraft.server.grpc.v1.JournalRecord.newBuilder()
                .setPartition(r.partition()).setSequence(r.sequence()).setHlc(r.hlc())
                .setRequestId(r.requestId() == null ? "" : r.requestId()).setTransactionId(r.transactionId());
        for (JournalRecord.Operation op : r.operations()) {
            JournalOperation.Builder ob = JournalOperation.newBuilder();
            if (op instanceof JournalRecord.Upsert u) {
                ob.setUpsert(UpsertOp.newBuilder().setCollection(u.collection()).setRecord(recordProto(u.record())));
            } else if (op instanceof JournalRecord.Delete d) {
                ob.setDelete(DeleteOp.newBuilder().setCollection(d.collection()).setId(d.id()));
            } else if (op instanceof JournalRecord.CreateCollection c) {
                ob.setCreateCollection(specProto(c.spec()));
            } else if (op instanceof JournalRecord.DropCollection d) {
                ob.setDropCollection(d.name());
            }
            b.addOperations(ob);
        }
        return b.build();
    }
}
