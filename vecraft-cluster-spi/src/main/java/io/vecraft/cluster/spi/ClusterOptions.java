package io.vecraft.cluster.spi;

import io.vecraft.api.InvalidArgumentException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a provider is opened with: a local directory (for the client's own state, or for every
 * node's data with an in-process provider) and provider settings as strings.
 *
 * @param directory local directory
 * @param settings  provider settings (keys documented by each provider), unmodifiable
 */
public record ClusterOptions(Path directory, Map<String, String> settings) {

    /** Copies the settings. */
    public ClusterOptions {
        if (directory == null) {
            throw new InvalidArgumentException("cluster.directory", "must not be null");
        }
        settings = Map.copyOf(new TreeMap<>(settings));
    }

    /**
     * @param key          setting name
     * @param defaultValue value when absent
     * @param min          smallest accepted value
     * @param max          largest accepted value
     * @return the setting as an int
     * @throws InvalidArgumentException if not an int in range
     */
    public int intSetting(String key, int defaultValue, int min, int max) {
        String v = settings.get(key);
        if (v == null) {
            return defaultValue;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException("cluster." + key, "must be an integer, was '" + v + "'");
        }
        if (n < min || n > max) {
            throw new InvalidArgumentException("cluster." + key, "must be " + min + " to " + max + ", was " + n);
        }
        return n;
    }

    /**
     * @param key          setting name
     * @param defaultValue value when absent
     * @return the setting
     */
    public String setting(String key, String defaultValue) {
        return settings.getOrDefault(key, defaultValue);
    }
}
