package io.vecraft.cli;

import java.util.Locale;

/** Formats byte counts for people. Stateless. */
final class Sizes {
    private Sizes() {
    }

    /**
     * @param bytes a byte count; negative means unknown
     * @return e.g. {@code 1.5 MiB}, {@code 312 B}, or {@code ?}
     */
    static String bytes(long bytes) {
        if (bytes < 0) {
            return "?";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
