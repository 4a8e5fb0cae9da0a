package io.vecraft.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar (me.tongfei progressbar) for long commands, drawn on the command's error stream so the
 * standard output stays machine-readable. Disabled with {@code --no-progress}.
 *
 * <p>Not thread-safe: one command thread steps it (the library redraws from its own timer thread).
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * @param enabled false for a no-op bar
     * @param err     where to draw
     * @param task    task name
     * @param total   expected steps
     * @param unit    what a step is, e.g. {@code vectors}
     * @return the bar
     */
    static Progress start(boolean enabled, PrintWriter err, String task, long total, String unit) {
        if (!enabled) {
            return new Progress(null);
        }
        PrintStream stream = new PrintStream(new WriterStream(err), true, StandardCharsets.UTF_8);
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
                .setUpdateIntervalMillis(250).showSpeed()
                // colours and block characters only on a terminal; plain ASCII in files and pipes
                .setStyle(System.console() != null ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK : ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(stream, 100)).build();
        return new Progress(bar);
    }

    /** @param n steps done since the last call */
    void stepBy(long n) {
        if (bar != null) {
            bar.stepBy(n);
        }
    }

    /** Draws the final state and stops the redraw timer; idempotent. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }

    /** Adapts a PrintWriter (picocli's streams) to the PrintStream the library wants. */
    private static final class WriterStream extends OutputStream {
        private final PrintWriter writer;

        WriterStream(PrintWriter writer) {
            this.writer = writer;
        }

        @Override
        public void write(int b) {
            writer.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writer.write(new String(b, off, len, StandardCharsets.UTF_8));
        }

        @Override
        public void flush() {
            writer.flush();
        }
    }
}
