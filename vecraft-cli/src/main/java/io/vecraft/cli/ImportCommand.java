package io.vecraft.cli;

import io.vecraft.api.AckLevel;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;
import io.vecraft.api.Record;
import io.vecraft.api.Vecraft;
import io.vecraft.api.WriteOptions;
import io.vecraft.cli.io.VectorFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vecraft import}: loads an fvecs, ivecs or IDX file into a collection (created if absent, with the
 * file's dimension), in batches of one journal entry each. Record ids are the vectors' 0-based positions
 * in the file (plus an optional prefix), so an ivecs ground-truth file for the same base lines up with
 * them ({@code search --truth}). IDX label files add a {@code label} metadata field. Shows a progress bar.
 * Not thread-safe.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import vectors from an fvecs, ivecs or IDX (optionally .gz) file into a collection.")
final class ImportCommand implements Callable<Integer> {
    /** Largest batch (records per journal entry). */
    static final int MAX_BATCH = 100_000;
    /** Every this many batches, one waits until everything before it is applied. */
    static final int PIPELINE = 4;

    @Mixin
    DataDirectory data;

    @Option(names = {"-c", "--collection"}, required = true, description = "collection (created if absent)")
    String collection;

    @Parameters(index = "0", paramLabel = "FILE", description = "the vector file")
    Path file;

    @Option(names = "--format", description = "FVECS, IVECS or IDX (default: from the file name)")
    VectorFiles.Format format;

    @Option(names = "--labels", paramLabel = "FILE", description = "IDX1 label file: adds metadata 'label'")
    Path labels;

    @Option(names = "--scale", defaultValue = "1", description = "factor on IDX byte values (default ${DEFAULT-VALUE})")
    float scale;

    @Option(names = "--metric", defaultValue = "L2", description = "metric of a new collection: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    Metric metric;

    @Option(names = "--index", defaultValue = "hnsw", description = "index of a new collection: hnsw or exact (default ${DEFAULT-VALUE})")
    String index;

    @Option(names = "--shards", description = "shards of a new collection (default: the database default)")
    Integer shards;

    @Option(names = "--batch", defaultValue = "1000", description = "records per journal entry (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--limit", description = "import at most this many vectors")
    Long limit;

    @Option(names = "--id-prefix", defaultValue = "", description = "prefix of the record ids (default none)")
    String idPrefix;

    @Option(names = "--no-progress", description = "do not draw a progress bar")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (batch < 1 || batch > MAX_BATCH) {
            throw new InvalidArgumentException("batch", "must be 1 to " + MAX_BATCH + ", was " + batch);
        }
        if (limit != null && limit < 0) {
            throw new InvalidArgumentException("limit", "must be at least 0, was " + limit);
        }
        IndexSpec indexSpec = switch (index.toLowerCase(java.util.Locale.ROOT)) {
            case "hnsw" -> IndexSpec.hnsw();
            case "exact" -> IndexSpec.exact();
            default -> throw new InvalidArgumentException("index", "must be hnsw or exact, was '" + index + "'");
        };
        VectorFiles.Format f = format != null ? format : VectorFiles.Format.of(file);
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        long imported = 0;
        try (VectorFiles.VectorReader reader = VectorFiles.open(file, f, scale);
             Vecraft db = Vecraft.open(data.directory)) {
            long total = limit == null ? reader.count() : Math.min(limit, reader.count());
            int[] labelValues = labels == null ? null : VectorFiles.readIdxLabels(labels, (int) Math.min(total, Integer.MAX_VALUE));
            if (labelValues != null && labelValues.length < total) {
                throw new InvalidArgumentException("labels", labels + " holds " + labelValues.length
                        + " labels for " + total + " vectors");
            }
            Collection c = collection(db, reader.dimension(), indexSpec);
            // Batches are acknowledged DURABLE (journal forced) so appending overlaps with indexing, but every
            // PIPELINE-th batch waits until applied (indexed): the progress bar is never more than PIPELINE
            // batches ahead of what searches see (all-APPLIED would serialise appending and indexing).
            WriteOptions durable = WriteOptions.defaults().withAckLevel(AckLevel.DURABLE);
            WriteOptions applied = WriteOptions.defaults().withAckLevel(AckLevel.APPLIED);
            long batches = 0;
            try (Progress progress = Progress.start(!noProgress, spec.commandLine().getErr(), "import", total, "vectors")) {
                List<Record> pending = new ArrayList<>(batch);
                float[] v;
                while (imported + pending.size() < total && (v = reader.next()) != null) {
                    long pos = imported + pending.size();
                    Record r = Record.of(idPrefix + pos, v);
                    if (labelValues != null) {
                        r = r.withMetadata(Map.of("label", labelValues[(int) pos]));
                    }
                    pending.add(r);
                    if (pending.size() == batch) {
                        c.upsert(pending, ++batches % PIPELINE == 0 ? applied : durable);
                        imported += pending.size();
                        progress.stepBy(pending.size());
                        pending.clear();
                    }
                }
                if (!pending.isEmpty()) {
                    c.upsert(pending, applied);
                    imported += pending.size();
                    progress.stepBy(pending.size());
                }
            }
            long count = c.count(io.vecraft.api.ReadOptions.defaults().withConsistency(io.vecraft.api.Consistency.STRONG));
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.printf("imported %d vectors (dimension %d) from %s into %s in %.1f s (%.0f vectors/s); the collection now holds %d records%n",
                    imported, reader.dimension(), file, collection, seconds, imported / Math.max(seconds, 1e-9), count);
        }
        out.flush();
        return 0;
    }

    private Collection collection(Vecraft db, int dimension, IndexSpec indexSpec) {
        Optional<Collection> existing = db.findCollection(collection);
        if (existing.isPresent()) {
            if (existing.get().spec().dimension() != dimension) {
                throw new InvalidArgumentException("file", file + " holds " + dimension + "-dimensional vectors but "
                        + "collection " + collection + " has dimension " + existing.get().spec().dimension());
            }
            return existing.get();
        }
        CollectionSpec s = CollectionSpec.of(collection, dimension).withMetric(metric).withIndex(indexSpec);
        if (shards != null) {
            s = s.withShards(shards);
        }
        return db.createCollection(s);
    }
}
