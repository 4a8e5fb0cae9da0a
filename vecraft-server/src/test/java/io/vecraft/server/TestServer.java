package io.vecraft.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.vecraft.api.Durability;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftConfig;
import io.vecraft.client.wire.JsonCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A real server on a loopback port over a real embedded database in a temporary directory, with
 * one API key per role plus a rate-limited one, and a plain java.net.http client for raw calls.
 * Not thread-safe to build; {@link #call} may be used from many threads.
 */
final class TestServer implements AutoCloseable {

    final String adminKey = ApiKeys.generateKey();
    final String writeKey = ApiKeys.generateKey();
    final String readKey = ApiKeys.generateKey();
    final String limitedKey = ApiKeys.generateKey();
    final Vecraft db;
    final VecraftServer server;
    final HttpClient http;

    TestServer(Path dir, UnaryOperator<ServerConfig.Builder> tweak) throws IOException {
        Files.createDirectories(dir);
        Path keys = dir.resolve("keys.txt");
        ApiKeys.append(keys, ApiKeys.line("admin", Role.ADMIN, adminKey));
        ApiKeys.append(keys, ApiKeys.line("writer", Role.WRITE, writeKey));
        ApiKeys.append(keys, ApiKeys.line("reader", Role.READ, readKey));
        ApiKeys.append(keys, ApiKeys.line("limited", Role.READ, limitedKey) + " rate=0.5 burst=3");
        db = Vecraft.open(VecraftConfig.builder(dir.resolve("db")).withDurability(Durability.ASYNC).build());
        ServerConfig.Builder b = ServerConfig.builder().withHttpPort(0).withGrpcPort(0).withKeys(ApiKeys.load(keys))
                .withMaxBodyBytes(256 * 1024);
        server = VecraftServer.start(tweak.apply(b).build(), db);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** A response with its body parsed as JSON when it is JSON. */
    record Reply(int status, HttpResponse<String> raw, JsonNode json) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Reply call(String method, String path, String key, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            String ct = r.headers().firstValue("Content-Type").orElse("");
            JsonNode json = ct.contains("json") && !r.body().isEmpty() ? JsonCodec.parse(r.body().getBytes(StandardCharsets.UTF_8)) : null;
            return new Reply(r.statusCode(), r, json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    List<String> routes() {
        return server.routes();
    }

    @Override
    public void close() {
        server.close();
        db.close();
    }
}
