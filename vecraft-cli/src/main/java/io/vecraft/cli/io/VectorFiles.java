package io.vecraft.cli.io;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftIOException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Readers of the vector file formats used by ANN benchmarks, shared by the CLI, the examples and the
 * benchmarks:
 * <ul>
 *   <li><b>fvecs</b> (TEXMEX, e.g. SIFT): per vector a little-endian int32 dimension {@code d}, then
 *       {@code d} little-endian float32 values;</li>
 *   <li><b>ivecs</b>: the same with int32 values (ground truth: ids of the nearest base vectors per query,
 *       nearest first, ids = 0-based positions in the base file);</li>
 *   <li><b>IDX</b> (MNIST, Fashion-MNIST), optionally gzipped: big-endian magic {@code 0x00000803}
 *       (unsigned bytes, 3 dimensions) then int32 count, rows, columns, then count x rows x columns
 *       bytes; labels are magic {@code 0x00000801}, int32 count, then one byte per item.</li>
 * </ul>
 * Readers stream (constant memory) and check the file: a truncated last vector or a wrong magic number
 * fails with {@link CorruptedDataException} naming the file and the byte offset.
 *
 * <p>Stateless and thread-safe; each {@link VectorReader} belongs to one thread.
 */
public final class VectorFiles {
    /** Largest dimension a file may declare. */
    public static final int MAX_DIMENSION = 65_536;
    private static final int IDX_IMAGES = 0x00000803;
    private static final int IDX_LABELS = 0x00000801;

    private VectorFiles() {
    }

    /** A vector file format. */
    public enum Format {
        /** Little-endian float32 vectors with an int32 dimension prefix. */
        FVECS,
        /** Little-endian int32 vectors with an int32 dimension prefix. */
        IVECS,
        /** IDX3 unsigned-byte images (optionally gzipped); each image is one vector. */
        IDX;

        /**
         * Guesses the format from the file name: {@code .fvecs}, {@code .ivecs}, or IDX
         * ({@code *idx3-ubyte}, {@code .idx}, each optionally {@code .gz}).
         *
         * @param file the file
         * @return the format
         * @throws InvalidArgumentException if the name says nothing known
         */
        public static Format of(Path file) {
            String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            if (n.endsWith(".gz")) {
                n = n.substring(0, n.length() - 3);
            }
            if (n.endsWith(".fvecs")) {
                return FVECS;
            }
            if (n.endsWith(".ivecs")) {
                return IVECS;
            }
            if (n.endsWith("idx3-ubyte") || n.endsWith(".idx")) {
                return IDX;
            }
            throw new InvalidArgumentException("format", "cannot tell the format of " + file
                    + " from its name (.fvecs, .ivecs, *idx3-ubyte[.gz]); name it explicitly");
        }
    }

    /** A streaming reader of vectors; not thread-safe. */
    public interface VectorReader extends AutoCloseable {
        /** @return the dimension of every vector */
        int dimension();

        /** @return how many vectors the file holds (from its size or header) */
        long count();

        /**
         * @return the next vector (a new array), or null at the end of the file
         * @throws CorruptedDataException if the file ends inside a vector or a vector has another dimension
         */
        float[] next();

        /** Closes the file; idempotent. */
        @Override
        void close();
    }

    /**
     * Opens a vector file.
     *
     * @param file   the file
     * @param format its format (see {@link Format#of(Path)})
     * @param scale  factor applied to IDX byte values (e.g. {@code 1/255f}); ignored for fvecs and ivecs
     * @return a reader positioned at the first vector
     * @throws NotFoundException   if the file does not exist
     * @throws VecraftIOException  if it cannot be read
     */
    public static VectorReader open(Path file, Format format, float scale) {
        if (!Files.isRegularFile(file)) {
            throw new NotFoundException("file", file.toString());
        }
        try {
            return switch (format) {
                case FVECS -> new VecsReader(file, false);
                case IVECS -> new VecsReader(file, true);
                case IDX -> new IdxReader(file, scale);
            };
        } catch (IOException e) {
            throw new VecraftIOException("cannot read " + file + ": " + e, e);
        }
    }

    /**
     * @param file an fvecs file
     * @return every vector in it
     */
    public static float[][] readFvecs(Path file) {
        return readAll(file, Format.FVECS, 1f, Integer.MAX_VALUE);
    }

    /**
     * @param file an ivecs file (e.g. ground truth)
     * @return every row in it
     */
    public static int[][] readIvecs(Path file) {
        try (VecsReader r = (VecsReader) open(file, Format.IVECS, 1f)) {
            int[][] out = new int[(int) r.count()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = r.nextInts();
            }
            return out;
        }
    }

    /**
     * @param file  an IDX3 image file (optionally gzipped)
     * @param limit most images to read
     * @param scale factor applied to each byte value (0..255)
     * @return the images as vectors
     */
    public static float[][] readIdxImages(Path file, int limit, float scale) {
        return readAll(file, Format.IDX, scale, limit);
    }

    /**
     * @param file  an IDX1 label file (optionally gzipped)
     * @param limit most labels to read
     * @return the labels (0..255)
     */
    public static int[] readIdxLabels(Path file, int limit) {
        try (DataInputStream in = idxStream(file)) {
            int magic = in.readInt();
            if (magic != IDX_LABELS) {
                throw new CorruptedDataException(file.toString(), 0, String.format(
                        "not an IDX1 label file: magic 0x%08x, expected 0x%08x", magic, IDX_LABELS));
            }
            int n = Math.min(limit, in.readInt());
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = in.readUnsignedByte();
            }
            return out;
        } catch (EOFException e) {
            throw new CorruptedDataException(file.toString(), -1, "IDX label file ends early", e);
        } catch (IOException e) {
            throw new VecraftIOException("cannot read " + file + ": " + e, e);
        }
    }

    private static float[][] readAll(Path file, Format format, float scale, int limit) {
        List<float[]> out = new ArrayList<>();
        try (VectorReader r = open(file, format, scale)) {
            float[] v;
            while (out.size() < limit && (v = r.next()) != null) {
                out.add(v);
            }
        }
        return out.toArray(new float[0][]);
    }

    private static DataInputStream idxStream(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            raw = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        }
        return new DataInputStream(raw);
    }

    /** fvecs / ivecs. */
    private static final class VecsReader implements VectorReader {
        private final Path file;
        private final boolean ints;
        private final DataInputStream in;
        private final int dimension;
        private final long count;
        private final byte[] body;
        private long offset;
        private long read;
        private boolean closed;

        VecsReader(Path file, boolean ints) throws IOException {
            this.file = file;
            this.ints = ints;
            long size = Files.size(file);
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            if (size == 0) {
                this.dimension = 0;
                this.count = 0;
                this.body = new byte[0];
                return;
            }
            in.mark(4);
            int d = readDim();
            in.reset();
            if (d < 1 || d > MAX_DIMENSION) {
                in.close();
                throw new CorruptedDataException(file.toString(), 0, "dimension " + d + " is not 1 to " + MAX_DIMENSION
                        + " (not an " + (ints ? "ivecs" : "fvecs") + " file?)");
            }
            long record = 4L + 4L * d;
            if (size % record != 0) {
                in.close();
                throw new CorruptedDataException(file.toString(), size - size % record, "file size " + size
                        + " is not a multiple of the record size " + record + " (dimension " + d + "): truncated file?");
            }
            this.dimension = d;
            this.count = size / record;
            this.body = new byte[4 * d];
        }

        private int readDim() throws IOException {
            byte[] b = new byte[4];
            in.readFully(b);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }

        @Override
        public int dimension() {
            return dimension;
        }

        @Override
        public long count() {
            return count;
        }

        @Override
        public float[] next() {
            if (!readBody()) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[dimension];
            for (int j = 0; j < dimension; j++) {
                v[j] = ints ? b.getInt() : b.getFloat();
            }
            return v;
        }

        /** @return the next row as ints (exact for ivecs), or null at the end */
        int[] nextInts() {
            if (!readBody()) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
            int[] v = new int[dimension];
            for (int j = 0; j < dimension; j++) {
                v[j] = ints ? b.getInt() : (int) b.getFloat();
            }
            return v;
        }

        private boolean readBody() {
            if (read >= count) {
                return false;
            }
            try {
                int d = readDim();
                if (d != dimension) {
                    throw new CorruptedDataException(file.toString(), offset, "vector dimension " + d
                            + " differs from the file's first vector (" + dimension + ")");
                }
                in.readFully(body);
                offset += 4L + body.length;
                read++;
                return true;
            } catch (EOFException e) {
                throw new CorruptedDataException(file.toString(), offset, "file ends inside a vector", e);
            } catch (IOException e) {
                throw new VecraftIOException("cannot read " + file + " at offset " + offset + ": " + e, e);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    in.close();
                } catch (IOException e) {
                    throw new VecraftIOException("cannot close " + file, e);
                }
            }
        }
    }

    /** IDX3 images. */
    private static final class IdxReader implements VectorReader {
        private final Path file;
        private final DataInputStream in;
        private final float scale;
        private final int dimension;
        private final long count;
        private final byte[] px;
        private long read;
        private boolean closed;

        IdxReader(Path file, float scale) throws IOException {
            this.file = file;
            this.scale = scale;
            this.in = idxStream(file);
            try {
                int magic = in.readInt();
                if (magic != IDX_IMAGES) {
                    throw new CorruptedDataException(file.toString(), 0, String.format(
                            "not an IDX3 unsigned-byte image file: magic 0x%08x, expected 0x%08x", magic, IDX_IMAGES));
                }
                this.count = in.readInt();
                int rows = in.readInt();
                int cols = in.readInt();
                if (count < 0 || rows < 1 || cols < 1 || (long) rows * cols > MAX_DIMENSION) {
                    throw new CorruptedDataException(file.toString(), 4, "bad IDX3 header: count " + count + ", rows "
                            + rows + ", columns " + cols);
                }
                this.dimension = rows * cols;
                this.px = new byte[dimension];
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        @Override
        public int dimension() {
            return dimension;
        }

        @Override
        public long count() {
            return count;
        }

        @Override
        public float[] next() {
            if (read >= count) {
                return null;
            }
            try {
                in.readFully(px);
            } catch (EOFException e) {
                throw new CorruptedDataException(file.toString(), 16 + read * dimension,
                        "IDX file ends inside image " + read + " of " + count, e);
            } catch (IOException e) {
                throw new VecraftIOException("cannot read " + file + ": " + e, e);
            }
            read++;
            float[] v = new float[dimension];
            for (int j = 0; j < dimension; j++) {
                v[j] = (px[j] & 0xFF) * scale;
            }
            return v;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    in.close();
                } catch (IOException e) {
                    throw new VecraftIOException("cannot close " + file, e);
                }
            }
        }
    }
}
