package io.vecraft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: headless Chromium loads {@code /status}, its DOM holds the
 * collection, the shards and the request ids, and its screenshot shows the styled tables.
 * Runs only with {@code -Pbrowser} (needs {@code chromium} on the PATH or {@code -Dchromium=...}).
 */
@Tag("browser")
class StatusPageBrowserTest {

    @TempDir
    Path dir;

    static String chromium() {
        String configured = System.getProperty("chromium");
        if (configured != null) {
            return configured;
        }
        for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
            for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (Files.isExecutable(Path.of(p, name))) {
                    return Path.of(p, name).toString();
                }
            }
        }
        throw new AssertionError("no chromium on the PATH: apt-get install -y chromium, or pass -Dchromium=/path");
    }

    static String run(List<String> cmd, Path out) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + Files.readString(out));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    @Test
    void statusPageRendersInHeadlessChromium() throws Exception {
        try (TestServer t = new TestServer(dir.resolve("s"), b -> b.withStatusPagePublic(true))) {
            assertEquals(201, t.call("POST", "/v1/collections", t.adminKey, "{\"name\":\"browser-docs\",\"dimension\":2}").status());
            assertEquals(200, t.call("POST", "/v1/collections/browser-docs/records", t.writeKey,
                    "{\"records\":[{\"id\":\"a\",\"vector\":[1,2]},{\"id\":\"b\",\"vector\":[3,4]}]}",
                    "X-Request-Id", "browser-visible-request").status());
            String url = t.server.uri() + "/status";
            Path profile = Files.createDirectories(dir.resolve("profile"));
            List<String> base = new ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900"));

            List<String> dump = new ArrayList<>(base);
            dump.add("--dump-dom");
            dump.add(url);
            String dom = run(dump, dir.resolve("dom.txt"));
            assertTrue(dom.contains("browser-docs"), dom);
            assertTrue(dom.contains("browser-docs/0"), "shard lag row: " + dom);
            assertTrue(dom.contains("browser-visible-request"), "recent operations show request ids: " + dom);

            Path png = dir.resolve("status.png");
            List<String> shot = new ArrayList<>(base);
            shot.add("--screenshot=" + png);
            shot.add(url);
            run(shot, dir.resolve("shot.txt"));
            BufferedImage img = ImageIO.read(png.toFile());
            assertEquals(1280, img.getWidth());
            assertEquals(900, img.getHeight());
            int header = 0;
            int dark = 0;
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int rgb = img.getRGB(x, y) & 0xffffff;
                    if (rgb == 0xe8eef7) {
                        header++;
                    }
                    if (((rgb >> 16) & 0xff) < 80 && ((rgb >> 8) & 0xff) < 80 && (rgb & 0xff) < 80) {
                        dark++;
                    }
                }
            }
            Path keep = Path.of("target", "status-page.png");
            Files.copy(png, keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertTrue(header > 2_000, "styled table headers visible in the screenshot (" + header + " px); see " + keep);
            assertTrue(dark > 2_000, "text visible in the screenshot (" + dark + " px); see " + keep);
        }
    }
}
