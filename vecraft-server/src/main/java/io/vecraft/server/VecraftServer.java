package io.vecraft.server;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vecraft.api.ClusterConfig;
import io.vecraft.api.Durability;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VecraftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vecraft server: an HTTP/JSON API (Jetty 12) and optionally a gRPC API (grpc-java, Netty)
 * over one database, embedded by default or in cluster mode when the database configuration names
 * a cluster provider. Both listeners share the API keys, roles, rate limits and the Prometheus
 * registry ({@code GET /metrics}).
 *
 * <p>Run from the command line with {@link #main}; embed with {@link #start(ServerConfig, Vecraft)}
 * (the caller keeps ownership of the database) or {@link #open(ServerConfig, VecraftConfig)} (the
 * server opens and closes it).
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class VecraftServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VecraftServer.class);

    private final ServerConfig config;
    private final Vecraft db;
    private final boolean ownsDb;
    private final PrometheusMeterRegistry meters;
    private final io.vecraft.core.metrics.VecraftMetrics dbMetrics;
    private final OperationLog operations = new OperationLog(100);
    private final Server http;
    private final ServerConnector connector;
    private final HttpApi api;
    private final GrpcApi grpc;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean closing;

    private VecraftServer(ServerConfig config, Vecraft db, boolean ownsDb) {
        this.config = config;
        this.db = db;
        this.ownsDb = ownsDb;
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        // The database's own meters (writes, searches, lag per shard, journal, file sizes) when it is a
        // vecraft-core database; a remote one (VecraftClient) has none to give.
        io.vecraft.core.metrics.VecraftMetrics dbMetrics = null;
        try {
            dbMetrics = io.vecraft.core.metrics.VecraftMetrics.bind(db, meters);
        } catch (io.vecraft.api.InvalidArgumentException e) {
            LOG.info("database metrics not published: {}", e.getMessage());
        }
        this.dbMetrics = dbMetrics;
        Gatekeeper gate = new Gatekeeper(config);
        StatusPage status = new StatusPage(db, operations);
        this.api = new HttpApi(new RestRoutes(db, meters, status).routes(), gate, config, meters, operations);

        QueuedThreadPool pool = new QueuedThreadPool(config.maxThreads(), 4);
        pool.setName("vecraft-http");
        this.http = new Server(pool);
        HttpConfiguration hc = new HttpConfiguration();
        hc.setSendServerVersion(false);
        hc.setSendDateHeader(true);
        // Record ids may hold '/' or '%': they arrive percent-encoded and HttpApi decodes each segment.
        hc.setUriCompliance(UriCompliance.DEFAULT.with("vecraft-ids", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING, UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS));
        if (config.tls()) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(Pem.keyStore(config.tlsCertificate().get(), config.tlsPrivateKey().get()));
            ssl.setKeyStorePassword(new String(Pem.PASSWORD));
            SecureRequestCustomizer src = new SecureRequestCustomizer();
            src.setSniHostCheck(false);
            hc.addCustomizer(src);
            this.connector = new ServerConnector(http, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(hc));
        } else {
            this.connector = new ServerConnector(http, new HttpConnectionFactory(hc));
        }
        connector.setHost(config.host());
        connector.setPort(config.httpPort());
        http.addConnector(connector);
        http.setHandler(api);
        http.setStopTimeout(5_000);
        this.grpc = config.grpcPort() >= 0 ? new GrpcApi(db, gate, config, meters, operations) : null;
    }

    /**
     * Starts a server over an open database; the caller keeps ownership of it.
     *
     * @param config listener settings
     * @param db     the database
     * @return the running server
     */
    public static VecraftServer start(ServerConfig config, Vecraft db) {
        return new VecraftServer(config, db, false).startListeners();
    }

    /**
     * Opens a database and starts a server over it; {@link #close()} closes both.
     *
     * @param config   listener settings
     * @param dbConfig database settings (embedded, or cluster mode when it names a provider)
     * @return the running server
     */
    public static VecraftServer open(ServerConfig config, VecraftConfig dbConfig) {
        Vecraft db = Vecraft.open(dbConfig);
        try {
            return new VecraftServer(config, db, true).startListeners();
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private VecraftServer startListeners() {
        try {
            http.start();
            if (grpc != null) {
                grpc.start();
            }
        } catch (Exception e) {
            close();
            throw new VecraftException("cannot start the server on " + config.host() + ":" + config.httpPort()
                    + ": " + e.getMessage(), e);
        }
        LOG.info("Vecraft server listening on {} (gRPC {}), auth {}, database {}", uri(),
                grpc == null ? "off" : config.host() + ":" + grpc.port(),
                config.keys().isPresent() ? "on" : "OFF", db.config().directory());
        return this;
    }

    /** @return the bound HTTP port */
    public int httpPort() {
        return connector.getLocalPort();
    }

    /** @return the bound gRPC port, or -1 when gRPC is off */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.port();
    }

    /** @return the base URI, e.g. {@code https://127.0.0.1:8443} */
    public String uri() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return (config.tls() ? "https" : "http") + "://" + host + ":" + httpPort();
    }

    /** @return the database behind the server */
    public Vecraft database() {
        return db;
    }

    /** @return the method and path template of every HTTP route (for the OpenAPI check) */
    public List<String> routes() {
        return api.routes().stream().map(r -> r.method() + " " + r.template()).toList();
    }

    /** @return the HTTP routes with their roles (tests check them against openapi.json) */
    List<HttpApi.Route> httpRoutes() {
        return api.routes();
    }

    /** @return the metrics registry the server reports to */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** Blocks until {@link #close()} finished. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /** Stops the listeners (in-flight requests get up to 5 s), then closes the database if owned. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        try {
            if (grpc != null) {
                grpc.close();
            }
            try {
                http.stop();
            } catch (Exception e) {
                LOG.warn("HTTP listener did not stop cleanly: {}", e.toString());
            }
            if (dbMetrics != null) {
                dbMetrics.close();
            }
            meters.close();
            if (ownsDb) {
                db.close();
            }
        } finally {
            closed.countDown();
        }
    }

    // ------------------------------------------------------------------ command line

    static final String USAGE = """
            usage: VecraftServer --data DIR [options]
              --data DIR              database directory (created if missing)
              --host ADDR             bind address (default 127.0.0.1)
              --port N                HTTP port (default 8080, 0 = any free)
              --grpc-port N           also serve gRPC on port N (0 = any free; default off)
              --tls-cert PEM --tls-key PEM   serve HTTPS (and TLS gRPC) with this certificate chain and PKCS#8 key
              --keys FILE             API keys file (default DIR/api-keys.txt; created with one admin key,
                                      printed once, when missing)
              --no-auth               accept every request without a key (development only)
              --add-key NAME:ROLE     append a new key (role read|write|admin) to the keys file, print it, exit
              --rate N --burst N      default per-key rate limit (requests/s; 0 = unlimited)
              --max-body-bytes N      largest request body (default 16 MiB)
              --public-status         serve /status without a key
              --durability MODE       SYNC (default), ASYNC or BATCH:<ms>
              --cluster PROVIDER      cluster mode with this provider (e.g. in-jvm)
              --cluster-set KEY=VALUE provider setting (repeatable)
            """;

    /**
     * Starts the server from the command line (see {@link #USAGE}) and runs until the JVM is asked
     * to stop (SIGINT/SIGTERM close the server cleanly).
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || java.util.Arrays.asList(args).contains("--help")) {
            System.out.print(USAGE);
            return;
        }
        Cli cli;
        try {
            cli = Cli.parse(args);
        } catch (InvalidArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (cli.addKey != null) {
            String[] nr = cli.addKey.split(":", 2);
            if (nr.length != 2) {
                System.err.println("--add-key needs NAME:ROLE");
                System.exit(2);
            }
            Role role = Role.valueOf(nr[1].toUpperCase(Locale.ROOT));
            String key = ApiKeys.generateKey();
            ApiKeys.append(cli.keysFile, ApiKeys.line(nr[0], role, key));
            System.out.println(key);
            return;
        }
        VecraftServer server = open(cli.server(), cli.database());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "vecraft-server-shutdown"));
        System.out.println("Vecraft server ready on " + server.uri()
                + (server.grpcPort() >= 0 ? " (gRPC port " + server.grpcPort() + ")" : ""));
        System.out.flush();
        server.awaitClose();
    }

    /** Parsed command line. */
    static final class Cli {
        Path data;
        String host = ServerConfig.DEFAULT_HOST;
        int port = ServerConfig.DEFAULT_HTTP_PORT;
        int grpcPort = -1;
        Path tlsCert;
        Path tlsKey;
        Path keysFile;
        boolean noAuth;
        String addKey;
        double rate;
        int burst;
        int maxBody = ServerConfig.DEFAULT_MAX_BODY_BYTES;
        boolean publicStatus;
        Durability durability = Durability.SYNC;
        ClusterConfig cluster;
        final List<String[]> clusterSettings = new ArrayList<>();

        static Cli parse(String[] args) {
            Cli c = new Cli();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--no-auth" -> c.noAuth = true;
                    case "--public-status" -> c.publicStatus = true;
                    default -> {
                        if (i + 1 >= args.length) {
                            throw new InvalidArgumentException(a, "needs a value");
                        }
                        String v = args[++i];
                        switch (a) {
                            case "--data" -> c.data = Path.of(v);
                            case "--host" -> c.host = v;
                            case "--port" -> c.port = intArg(a, v);
                            case "--grpc-port" -> c.grpcPort = intArg(a, v);
                            case "--tls-cert" -> c.tlsCert = Path.of(v);
                            case "--tls-key" -> c.tlsKey = Path.of(v);
                            case "--keys" -> c.keysFile = Path.of(v);
                            case "--add-key" -> c.addKey = v;
                            case "--rate" -> c.rate = Double.parseDouble(v);
                            case "--burst" -> c.burst = intArg(a, v);
                            case "--max-body-bytes" -> c.maxBody = intArg(a, v);
                            case "--durability" -> c.durability = durability(v);
                            case "--cluster" -> c.cluster = ClusterConfig.of(v);
                            case "--cluster-set" -> {
                                String[] kv = v.split("=", 2);
                                if (kv.length != 2) {
                                    throw new InvalidArgumentException(a, "needs KEY=VALUE, was " + v);
                                }
                                c.clusterSettings.add(kv);
                            }
                            default -> throw new InvalidArgumentException(a, "unknown option");
                        }
                    }
                }
            }
            if (c.data == null) {
                throw new InvalidArgumentException("--data", "is required");
            }
            if (c.keysFile == null) {
                c.keysFile = c.data.resolve("api-keys.txt");
            }
            return c;
        }

        private static int intArg(String name, String v) {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException(name, "must be an integer, was " + v);
            }
        }

        private static Durability durability(String v) {
            String u = v.toUpperCase(Locale.ROOT);
            if (u.equals("SYNC")) {
                return Durability.SYNC;
            }
            if (u.equals("ASYNC")) {
                return Durability.ASYNC;
            }
            if (u.startsWith("BATCH:")) {
                return Durability.batch(Duration.ofMillis(Long.parseLong(u.substring(6))));
            }
            throw new InvalidArgumentException("--durability", "must be SYNC, ASYNC or BATCH:<ms>, was " + v);
        }

        VecraftConfig database() {
            VecraftConfig.Builder b = VecraftConfig.builder(data).withDurability(durability);
            if (cluster != null) {
                ClusterConfig cc = cluster;
                for (String[] kv : clusterSettings) {
                    cc = cc.with(kv[0], kv[1]);
                }
                b.withCluster(cc);
            }
            return b.build();
        }

        ServerConfig server() throws java.io.IOException {
            ServerConfig.Builder b = ServerConfig.builder().withHost(host).withHttpPort(port).withGrpcPort(grpcPort)
                    .withDefaultRateLimit(rate, burst).withMaxBodyBytes(maxBody).withStatusPagePublic(publicStatus);
            if (tlsCert != null || tlsKey != null) {
                b.withTls(tlsCert, tlsKey);
            }
            if (!noAuth) {
                if (!Files.exists(keysFile)) {
                    Files.createDirectories(keysFile.toAbsolutePath().getParent());
                    String key = ApiKeys.generateKey();
                    ApiKeys.append(keysFile, ApiKeys.line("admin", Role.ADMIN, key));
                    System.out.println("Created " + keysFile + " with one admin key (shown only now): " + key);
                }
                b.withKeys(ApiKeys.load(keysFile));
            }
            return b.build();
        }
    }
}
