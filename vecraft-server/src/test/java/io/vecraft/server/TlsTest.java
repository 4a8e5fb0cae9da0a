package io.vecraft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Record;
import io.vecraft.api.VecraftIOException;
import io.vecraft.client.VecraftClient;
import io.vecraft.server.grpc.v1.ListCollectionsRequest;
import io.vecraft.server.grpc.v1.VecraftServiceGrpc;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS from PEM files: a self-signed certificate made at test time serves HTTPS and TLS gRPC. */
class TlsTest {

    @TempDir
    Path dir;

    /** Writes cert.pem and key.pem (PKCS#8) for CN=localhost, SAN 127.0.0.1 and localhost. */
    static X509Certificate selfSigned(Path cert, Path key) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now), new Date(now - 60_000),
                new Date(now + 86_400_000L), name, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate x = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
        StringWriter cw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(cw)) {
            w.writeObject(x);
        }
        Files.writeString(cert, cw.toString());
        StringWriter kw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(kw)) {
            w.writeObject(new PemObject("PRIVATE KEY", kp.getPrivate().getEncoded()));
        }
        Files.writeString(key, kw.toString());
        return x;
    }

    static SSLContext trusting(X509Certificate cert) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("server", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void httpsAndTlsGrpcServeWithAPemCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        X509Certificate x = selfSigned(cert, key);
        try (TestServer t = new TestServer(dir.resolve("s"), b -> b.withTls(cert, key))) {
            assertTrue(t.server.uri().startsWith("https://"), t.server.uri());
            try (VecraftClient client = VecraftClient.builder(URI.create(t.server.uri())).withApiKey(t.adminKey)
                    .withSslContext(trusting(x)).build()) {
                Collection c = client.createCollection(CollectionSpec.of("secure", 2));
                c.upsert(Record.of("a", new float[] {1, 2}));
                assertEquals(1, c.count());
            }
            // A client that does not trust the certificate is refused at the handshake.
            try (VecraftClient untrusting = VecraftClient.connect(URI.create(t.server.uri()), t.adminKey)) {
                assertThrows(VecraftIOException.class, untrusting::listCollections);
            }
            // Plain HTTP to the TLS port does not get an answer from the API.
            HttpClient plain = HttpClient.newHttpClient();
            int port = t.server.httpPort();
            assertThrows(java.io.IOException.class, () -> {
                HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new java.io.IOException("refused with " + r.statusCode());
                }
            });

            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", t.server.grpcPort(),
                    TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build()).build();
            try {
                io.grpc.Metadata h = new io.grpc.Metadata();
                h.put(GrpcApi.API_KEY, t.readKey);
                var names = VecraftServiceGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .listCollections(ListCollectionsRequest.getDefaultInstance()).getCollectionsList();
                assertTrue(names.stream().anyMatch(s -> s.getName().equals("secure")));
            } finally {
                ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }
}
