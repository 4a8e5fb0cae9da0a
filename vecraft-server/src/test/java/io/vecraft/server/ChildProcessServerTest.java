package io.vecraft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.client.VecraftClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server and client in separate processes: the server runs from its command line in a child JVM;
 * the test talks to it over loopback, stops it with SIGTERM, starts it again on the same data
 * directory and finds the data.
 */
class ChildProcessServerTest {

    @TempDir
    Path dir;

    /** A started child server and the base URI it printed. */
    record Child(Process process, String uri, List<String> output) {
    }

    static Child startServer(Path data, Path keys) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String opts = System.getProperty("vecraft.jvm.options", "");
        cmd.addAll(Arrays.stream(opts.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList());
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(VecraftServer.class.getName());
        cmd.addAll(List.of("--data", data.toString(), "--port", "0", "--keys", keys.toString(), "--durability", "SYNC"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BlockingQueue<String> ready = new ArrayBlockingQueue<>(1);
        List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    if (line.startsWith("Vecraft server ready on ")) {
                        ready.offer(line.substring("Vecraft server ready on ".length()).trim());
                    }
                }
            } catch (java.io.IOException e) {
                // the child is gone; the poll below times out with its output
            }
        }, "child-server-output");
        reader.setDaemon(true);
        reader.start();
        String uri = ready.poll(120, TimeUnit.SECONDS);
        if (uri == null) {
            p.destroyForcibly();
            throw new AssertionError("child server did not start within 120 s; output:\n" + String.join("\n", output));
        }
        return new Child(p, uri, output);
    }

    static void stop(Child c) throws InterruptedException {
        c.process().destroy(); // SIGTERM: the shutdown hook closes the server and the database
        if (!c.process().waitFor(30, TimeUnit.SECONDS)) {
            c.process().destroyForcibly();
            throw new AssertionError("child server ignored SIGTERM for 30 s; output:\n" + String.join("\n", c.output()));
        }
    }

    @Test
    void serverInAChildJvmServesAClientAndKeepsDataAcrossRestart() throws Exception {
        Path keys = dir.resolve("keys.txt");
        String key = ApiKeys.generateKey();
        ApiKeys.append(keys, ApiKeys.line("app", Role.ADMIN, key));
        Path data = dir.resolve("data");

        Child first = startServer(data, keys);
        try (VecraftClient client = VecraftClient.connect(URI.create(first.uri()), key)) {
            Collection c = client.createCollection(CollectionSpec.of("remote", 3));
            List<Record> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                batch.add(Record.of("r" + i, new float[] {i, i % 7, 1}));
            }
            c.upsert(batch);
            assertEquals("r42", c.search(SearchRequest.of(new float[] {42, 0, 1}, 1)).hits().get(0).id());
        } finally {
            stop(first);
        }

        Child second = startServer(data, keys);
        try (VecraftClient client = VecraftClient.connect(URI.create(second.uri()), key)) {
            Collection c = client.collection("remote");
            assertEquals(200, c.count(ReadOptions.defaults().withConsistency(Consistency.STRONG)));
            assertTrue(c.get("r199").isPresent());
        } finally {
            stop(second);
        }
    }
}
