package io.vecraft.cli;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.RestorePoint;
import io.vecraft.api.RestoreReport;
import io.vecraft.api.Vecraft;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vecraft restore}: restores a snapshot ({@code --from}) into the data directory {@code --data}, which
 * must be absent or empty, to its latest state, to an HLC ({@code --hlc}) or to a partition sequence
 * ({@code --partition} + {@code --sequence}): point-in-time recovery ({@link Vecraft#restore}). The snapshot
 * is verified first; nothing is left behind if the restore fails. Not thread-safe (one run per instance).
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a snapshot into a new data directory, to its latest state, an HLC or a sequence.")
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    DataDirectory data;

    @Option(names = "--from", required = true, description = "the snapshot directory")
    Path from;

    @Option(names = "--hlc", description = "restore the state as of this HLC (every partition cut at it)")
    Long hlc;

    @Option(names = "--partition", description = "with --sequence: the journal partition to cut exactly")
    String partition;

    @Option(names = "--sequence", description = "with --partition: the last sequence to keep")
    Long sequence;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        RestorePoint point;
        if (hlc != null && (partition != null || sequence != null)) {
            throw new InvalidArgumentException("--hlc", "give either --hlc or --partition with --sequence, not both");
        } else if (hlc != null) {
            point = RestorePoint.atHlc(hlc);
        } else if (partition != null || sequence != null) {
            if (partition == null || sequence == null) {
                throw new InvalidArgumentException(partition == null ? "--partition" : "--sequence",
                        "--partition and --sequence go together");
            }
            point = RestorePoint.atSequence(partition, sequence);
        } else {
            point = RestorePoint.latest();
        }
        RestoreReport r = Vecraft.restore(from, data.directory, point);
        out.printf("restored %s into %s at HLC %d; last sequences %s; shards from checkpoints %s, rebuilt from the"
                        + " journal %s%s%n", from, r.target(), r.cutHlc(), r.lastSequences(), r.shardsFromCheckpoint(),
                r.shardsRebuilt(), r.catalogRebuilt() ? "; catalog rebuilt from the journal" : "");
        out.flush();
        return 0;
    }
}
