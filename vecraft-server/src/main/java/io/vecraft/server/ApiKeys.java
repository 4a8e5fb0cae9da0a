package io.vecraft.server;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.VecraftIOException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The API keys the server accepts, loaded from a keys file. Keys are never stored: the file holds
 * the SHA-256 of each key (keys are 32 random bytes, so a fast hash is enough; there is nothing to
 * brute-force).
 *
 * <p>Keys file format (UTF-8 text, one key per line; blank lines and lines starting with {@code #}
 * are ignored; fields separated by blanks):
 * <pre>
 * name role sha256-hex [rate=PER_SECOND] [burst=N]
 * </pre>
 * <ul>
 *   <li>{@code name}: unique label of the key (logged, shown on the status page), {@code [A-Za-z0-9_.-]+};</li>
 *   <li>{@code role}: {@code read}, {@code write} or {@code admin} (see {@link Role});</li>
 *   <li>{@code sha256-hex}: 64 lower-case hex digits, SHA-256 of the key's UTF-8 bytes;</li>
 *   <li>{@code rate}: requests per second refilled into the key's token bucket (default: the
 *       server's default rate; 0 = unlimited);</li>
 *   <li>{@code burst}: bucket capacity (default: max(1, 2 x rate)).</li>
 * </ul>
 * A key is presented as {@code Authorization: Bearer <key>} or {@code X-Api-Key: <key>}. Generated
 * keys look like {@code vk_} followed by 43 base64url characters.
 *
 * <p>Immutable and thread-safe.
 */
public final class ApiKeys {

    /**
     * One key.
     *
     * @param name          label
     * @param role          what it may do
     * @param sha256Hex     hash of the key
     * @param ratePerSecond token refill rate; 0 = unlimited, negative = server default
     * @param burst         bucket size; 0 = derived from the rate
     */
    public record Entry(String name, Role role, String sha256Hex, double ratePerSecond, int burst) {
    }

    private final Map<String, Entry> byHash;

    private ApiKeys(Map<String, Entry> byHash) {
        this.byHash = Map.copyOf(byHash);
    }

    /**
     * @param entries the keys
     * @return a key set
     */
    public static ApiKeys of(List<Entry> entries) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (m.put(e.sha256Hex(), e) != null) {
                throw new InvalidArgumentException("keys", "duplicate key hash for '" + e.name() + "'");
            }
        }
        return new ApiKeys(m);
    }

    /**
     * Reads a keys file.
     *
     * @param file the file
     * @return the keys
     * @throws InvalidArgumentException naming the line when a line is malformed
     */
    public static ApiKeys load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VecraftIOException("cannot read keys file " + file, e);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            entries.add(parseLine(line, file + ":" + (i + 1)));
        }
        return of(entries);
    }

    private static Entry parseLine(String line, String where) {
        String[] f = line.split("\\s+");
        if (f.length < 3) {
            throw new InvalidArgumentException("keys[" + where + "]", "expected 'name role sha256-hex [rate=N] [burst=N]'");
        }
        if (!f[0].matches("[A-Za-z0-9_.-]+")) {
            throw new InvalidArgumentException("keys[" + where + "].name", "must match [A-Za-z0-9_.-]+, was " + f[0]);
        }
        Role role;
        try {
            role = Role.valueOf(f[1].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("keys[" + where + "].role", "must be read, write or admin, was " + f[1]);
        }
        if (!f[2].matches("[0-9a-f]{64}")) {
            throw new InvalidArgumentException("keys[" + where + "].sha256", "must be 64 lower-case hex digits");
        }
        double rate = -1;
        int burst = 0;
        for (int j = 3; j < f.length; j++) {
            try {
                if (f[j].startsWith("rate=")) {
                    rate = Double.parseDouble(f[j].substring(5));
                    if (!(rate >= 0) || Double.isInfinite(rate)) {
                        throw new NumberFormatException();
                    }
                } else if (f[j].startsWith("burst=")) {
                    burst = Integer.parseInt(f[j].substring(6));
                    if (burst < 1) {
                        throw new NumberFormatException();
                    }
                } else {
                    throw new InvalidArgumentException("keys[" + where + "]", "unknown option " + f[j]);
                }
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException("keys[" + where + "]", "bad number in " + f[j]
                        + " (rate >= 0, burst >= 1)");
            }
        }
        return new Entry(f[0], role, f[2], rate, burst);
    }

    /**
     * @param key a presented key
     * @return its entry, if the key is known
     */
    public Optional<Entry> authenticate(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(sha256Hex(key)));
    }

    /** @return the keys, in file order */
    public List<Entry> entries() {
        return List.copyOf(byHash.values());
    }

    /** @return whether no key is configured */
    public boolean isEmpty() {
        return byHash.isEmpty();
    }

    /**
     * @param key a key
     * @return SHA-256 of its UTF-8 bytes, lower-case hex
     */
    public static String sha256Hex(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** @return a new random key: {@code vk_} + 32 random bytes in base64url */
    public static String generateKey() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return "vk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * @param name label
     * @param role role
     * @param key  the key
     * @return the keys-file line for it (without rate options)
     */
    public static String line(String name, Role role, String key) {
        return name + " " + role.name().toLowerCase(Locale.ROOT) + " " + sha256Hex(key);
    }

    /**
     * Appends a line to a keys file (creating it), publishing by write-new + atomic rename.
     *
     * @param file the keys file
     * @param line the line
     */
    public static void append(Path file, String line) {
        try {
            String old = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Vecraft API keys: name role sha256-hex [rate=N] [burst=N]\n";
            if (!old.isEmpty() && !old.endsWith("\n")) {
                old += "\n";
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, old + line + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new VecraftIOException("cannot write keys file " + file, e);
        }
    }
}
