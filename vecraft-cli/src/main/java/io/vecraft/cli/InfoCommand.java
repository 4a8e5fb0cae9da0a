package io.vecraft.cli;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Health;
import io.vecraft.api.Hlc;
import io.vecraft.api.Vecraft;
import io.vecraft.core.metrics.EngineView;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code vecraft info}: opens the database (recovering it like any open) and prints its configuration,
 * journal partitions, collections with their record counts and file sizes, and its health.
 * Not thread-safe (one run per instance).
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print collections, journal partitions, shard sizes and health of a data directory.")
final class InfoCommand implements Callable<Integer> {
    @Mixin
    DataDirectory data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Vecraft db = data.openExisting()) {
            out.printf("data directory: %s%n", data.directory.toAbsolutePath().normalize());
            out.printf("durability: %s, clock: %s%n", db.config().durability(), Hlc.format(db.now()));
            if (db instanceof EngineView view) {
                out.println("journal partitions:");
                for (EngineView.PartitionView p : view.partitionViews()) {
                    out.printf("  %-10s head sequence %d%s%n", p.name(), p.headSequence(),
                            p.failure().map(f -> "  FAILED: " + f).orElse(""));
                }
                view.journalBytes().ifPresent(b -> out.printf("  journal files: %s (apparent size; Chronicle cycle files are sparse)%n", Sizes.bytes(b)));
            }
            out.printf("collections: %d%n", db.listCollections().size());
            for (CollectionSpec spec : db.listCollections()) {
                long count = db.collection(spec.name()).count();
                out.printf("  %s: %d records, dimension %d, %s, %s, %d shard(s)%n", spec.name(), count, spec.dimension(),
                        spec.metric(), spec.index(), spec.shards());
                if (db instanceof EngineView view) {
                    for (EngineView.ShardView s : view.shardViews()) {
                        if (s.collection().equals(spec.name())) {
                            out.printf("    shard %d: %d live records, vectors %s, payload %s, index %s%n", s.shard(),
                                    s.liveRecords(), Sizes.bytes(s.vectorBytes()), Sizes.bytes(s.payloadBytes()),
                                    Sizes.bytes(s.indexBytes()));
                        }
                    }
                }
            }
            Health h = db.health();
            out.printf("health: %s (live %s, ready %s)%n", h.status(), h.live(), h.ready());
            for (String reason : h.reasons()) {
                out.printf("  %s%n", reason);
            }
        }
        out.flush();
        return 0;
    }
}
