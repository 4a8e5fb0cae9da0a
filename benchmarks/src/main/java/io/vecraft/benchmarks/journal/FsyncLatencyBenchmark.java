package io.vecraft.benchmarks.journal;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The latency t of one small durable write on the file system under {@code java.io.tmpdir}:
 * 64 bytes written with a {@link FileChannel} and {@code force(false)} (fdatasync). Two variants:
 * appending (the file grows, so fdatasync also commits the new size) and overwriting inside a
 * pre-written region (data only). The smaller t gives the stricter SYNC group-commit target
 * 0.8 x W / t.
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class FsyncLatencyBenchmark {

    /** A fresh file per trial. */
    @State(Scope.Thread)
    public static class Files64 {
        static final int REGION = 64 << 20;

        Path dir;
        FileChannel appendChannel;
        FileChannel overwriteChannel;
        ByteBuffer buf = ByteBuffer.allocateDirect(64);
        long overwritePos;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = JournalAppendBenchmark.tempDir("vecraft-fsync-bench");
            appendChannel = FileChannel.open(dir.resolve("append.dat"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            overwriteChannel = FileChannel.open(dir.resolve("overwrite.dat"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.READ);
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long pos = 0; pos < REGION; pos += zeros.capacity()) {
                zeros.clear();
                overwriteChannel.write(zeros, pos);
            }
            overwriteChannel.force(true);
            for (int i = 0; i < 64; i++) {
                buf.put((byte) i);
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            appendChannel.close();
            overwriteChannel.close();
            JournalAppendBenchmark.delete(dir);
        }
    }

    /**
     * The same write + fdatasync with as many bytes as one group-commit force has to write:
     * 104,000 = 1,000 entries of 64-byte payload (104 bytes each), 17,024 = 16 entries of 1 KiB
     * (1,064 bytes each). This is what the disk alone costs per force, the floor under SYNC
     * throughput with large entries or batches.
     */
    @State(Scope.Thread)
    public static class Sized {
        @Param({"17024", "104000"})
        public int bytes;

        Path dir;
        FileChannel channel;
        ByteBuffer buf;
        long pos;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = JournalAppendBenchmark.tempDir("vecraft-fsync-sized-bench");
            channel = FileChannel.open(dir.resolve("sized.dat"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.READ);
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long p = 0; p < Files64.REGION; p += zeros.capacity()) {
                zeros.clear();
                channel.write(zeros, p);
            }
            channel.force(true);
            buf = ByteBuffer.allocateDirect(bytes);
            while (buf.hasRemaining()) {
                buf.put((byte) buf.position());
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            channel.close();
            JournalAppendBenchmark.delete(dir);
        }
    }

    @Benchmark
    public int overwriteSizedAndFdatasync(Sized s) throws IOException {
        s.buf.clear();
        int n = s.channel.write(s.buf, s.pos);
        s.pos = (s.pos + s.bytes) % (Files64.REGION - s.bytes);
        s.channel.force(false);
        return n;
    }

    @Benchmark
    public int append64AndFdatasync(Files64 f) throws IOException {
        f.buf.clear();
        int n = f.appendChannel.write(f.buf);
        f.appendChannel.force(false);
        return n;
    }

    @Benchmark
    public int overwrite64AndFdatasync(Files64 f) throws IOException {
        f.buf.clear();
        int n = f.overwriteChannel.write(f.buf, f.overwritePos);
        f.overwritePos = (f.overwritePos + 64) % Files64.REGION;
        f.overwriteChannel.force(false);
        return n;
    }
}
