package io.vecraft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** openapi.json and the registered routes describe the same API, both ways. */
class OpenApiRoutesTest {

    @TempDir
    static Path dir;
    static TestServer t;

    @BeforeAll
    static void start() throws Exception {
        t = new TestServer(dir, b -> b);
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    /** @return "METHOD /path" to the documented role ("" when public) */
    static Map<String, String> documented(JsonNode doc) {
        Map<String, String> out = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> p = paths.next();
            Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields();
            while (ops.hasNext()) {
                Map.Entry<String, JsonNode> op = ops.next();
                out.put(op.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey(), op.getValue().path("x-vecraft-role").asText(""));
            }
        }
        return out;
    }

    @Test
    void everyRouteIsDocumentedWithItsRoleAndEveryDocumentedOperationIsARoute() {
        TestServer.Reply r = t.call("GET", "/openapi.json", null, null);
        assertEquals(200, r.status());
        assertEquals("3.1.0", r.json().get("openapi").asText());
        Map<String, String> doc = documented(r.json());
        Map<String, String> registered = new TreeMap<>();
        for (HttpApi.Route route : t.server.httpRoutes()) {
            registered.put(route.method() + " " + route.template(), route.role() == null ? "" : route.role().name());
        }
        assertEquals(registered, doc, "openapi.json (right) must list exactly the registered routes and roles (left)");
    }

    @Test
    void everyDocumentedOperationIsServedByTheRunningServer() {
        TestServer.Reply r = t.call("GET", "/openapi.json", null, null);
        for (String op : documented(r.json()).keySet()) {
            String method = op.substring(0, op.indexOf(' '));
            String path = op.substring(op.indexOf(' ') + 1).replace("{collection}", "no-such-collection").replace("{id}", "x");
            if (path.equals("/v1/checkpoint")) {
                continue; // served, but a checkpoint is not a probe
            }
            TestServer.Reply reply = t.call(method, path, t.adminKey, method.equals("POST") ? "{}" : null);
            assertNotEquals(405, reply.status(), op);
            if (reply.status() == 404) {
                assertTrue(!reply.json().get("detail").asText().startsWith("no route"), op + ": " + reply.raw().body());
            }
        }
    }
}
