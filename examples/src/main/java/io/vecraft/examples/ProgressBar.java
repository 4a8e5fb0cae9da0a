package io.vecraft.examples;

import java.io.PrintStream;

/**
 * A one-line text progress bar with rate and ETA. Redraws in place on a terminal; on a pipe it
 * prints a line every 10%.
 *
 * <p>Not thread-safe.
 */
final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private final boolean terminal = System.console() != null;
    private int lastDecile = -1;

    ProgressBar(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
    }

    void update(long done) {
        double fraction = total == 0 ? 1 : (double) done / total;
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        double eta = rate > 0 ? (total - done) / rate : 0;
        int filled = (int) Math.round(fraction * WIDTH);
        String line = String.format("  %s [%s%s] %3.0f%% %,d/%,d  %,.0f/s  eta %.0fs", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), fraction * 100, done, total, rate, eta);
        if (terminal) {
            out.print("\r" + line);
            if (done >= total) {
                out.println();
            }
        } else {
            int decile = (int) (fraction * 10);
            if (decile != lastDecile) {
                lastDecile = decile;
                out.println(line);
            }
        }
        out.flush();
    }
}
