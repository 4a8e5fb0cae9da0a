package io.vecraft.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs the database as a cluster through a provider on the class path (found by name with
 * {@link java.util.ServiceLoader}) instead of embedded. Settings are provider-specific strings;
 * the {@code in-jvm} provider in vecraft-core understands {@code journalNodes} (default 3),
 * {@code storageNodes} (default 3) and {@code replicas} (replicas per shard, default 2).
 *
 * <pre>{@code
 * Vecraft db = Vecraft.builder(dir)
 *         .withCluster(ClusterConfig.of("in-jvm").with("journalNodes", "3").with("replicas", "2"))
 *         .open();
 * }</pre>
 *
 * @param provider provider name, e.g. {@code "in-jvm"}
 * @param settings provider settings, unmodifiable
 */
public record ClusterConfig(String provider, Map<String, String> settings) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");

    /** Validates and copies. */
    public ClusterConfig {
        if (provider == null || !NAME.matcher(provider).matches()) {
            throw new InvalidArgumentException("cluster.provider",
                    "must be 1 to 64 characters of [a-z0-9-] starting with a letter, was '" + provider + "'");
        }
        if (settings == null) {
            throw new InvalidArgumentException("cluster.settings", "must not be null");
        }
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
                throw new InvalidArgumentException("cluster.settings", "keys must be non-empty and values non-null");
            }
        }
        settings = Map.copyOf(settings);
    }

    /**
     * @param provider provider name
     * @return a configuration without settings
     */
    public static ClusterConfig of(String provider) {
        return new ClusterConfig(provider, Map.of());
    }

    /**
     * @param key   setting name
     * @param value setting value
     * @return a copy with the setting
     */
    public ClusterConfig with(String key, String value) {
        Map<String, String> next = new LinkedHashMap<>(settings);
        next.put(key, value);
        return new ClusterConfig(provider, next);
    }
}
