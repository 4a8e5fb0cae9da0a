package io.vecraft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys file: hashed keys, roles, options, and clear errors for bad lines. */
class ApiKeysTest {

    @TempDir
    Path dir;

    @Test
    void keysAreStoredOnlyAsHashesAndAuthenticateToTheirRole() throws Exception {
        Path file = dir.resolve("keys.txt");
        String admin = ApiKeys.generateKey();
        String reader = ApiKeys.generateKey();
        assertTrue(admin.startsWith("vk_") && admin.length() == 46, admin);
        ApiKeys.append(file, ApiKeys.line("ops", Role.ADMIN, admin));
        ApiKeys.append(file, ApiKeys.line("app", Role.READ, reader) + " rate=5 burst=10");
        String text = Files.readString(file);
        assertFalse(text.contains(admin) || text.contains(reader), "no key in clear: " + text);
        assertTrue(text.contains(ApiKeys.sha256Hex(admin)));

        ApiKeys keys = ApiKeys.load(file);
        assertEquals(Role.ADMIN, keys.authenticate(admin).orElseThrow().role());
        ApiKeys.Entry app = keys.authenticate(reader).orElseThrow();
        assertEquals("app", app.name());
        assertEquals(5.0, app.ratePerSecond());
        assertEquals(10, app.burst());
        assertTrue(keys.authenticate("vk_wrong").isEmpty());
        assertTrue(keys.authenticate("").isEmpty());
        assertTrue(Role.ADMIN.allows(Role.WRITE) && Role.WRITE.allows(Role.READ) && !Role.READ.allows(Role.WRITE));
    }

    @Test
    void malformedLinesNameTheLineAndTheProblem() throws Exception {
        Path file = dir.resolve("bad.txt");
        String hash = ApiKeys.sha256Hex("x");
        Files.writeString(file, "# comment\n\napp superuser " + hash + "\n");
        InvalidArgumentException role = assertThrows(InvalidArgumentException.class, () -> ApiKeys.load(file));
        assertTrue(role.field().endsWith(":3].role"), role.field());
        Files.writeString(file, "app read abc\n");
        assertTrue(assertThrows(InvalidArgumentException.class, () -> ApiKeys.load(file)).field().endsWith("].sha256"));
        Files.writeString(file, "app read " + hash + " rate=-1\n");
        assertThrows(InvalidArgumentException.class, () -> ApiKeys.load(file));
        Files.writeString(file, "a read " + hash + "\nb write " + hash + "\n");
        assertTrue(assertThrows(InvalidArgumentException.class, () -> ApiKeys.load(file)).getMessage().contains("duplicate"));
    }
}
