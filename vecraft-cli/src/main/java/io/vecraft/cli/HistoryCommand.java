package io.vecraft.cli;

import io.vecraft.api.Hlc;
import io.vecraft.api.RecordVersion;
import io.vecraft.api.Vecraft;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vecraft history}: every retained operation on one record, oldest first, with its journal
 * position and request id (lineage). Not thread-safe.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Print every retained version of a record: operation, time, journal position, request id.")
final class HistoryCommand implements Callable<Integer> {
    @Mixin
    DataDirectory data;

    @Option(names = {"-c", "--collection"}, required = true, description = "collection name")
    String collection;

    @Parameters(index = "0", paramLabel = "ID", description = "record id")
    String id;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Vecraft db = data.openExisting()) {
            List<RecordVersion> versions = db.collection(collection).history(id);
            if (versions.isEmpty()) {
                out.printf("no retained history for %s/%s%n", collection, id);
            }
            for (RecordVersion v : versions) {
                out.printf("%-6s %s  %s#%d  request %s%s%s%n", v.operation(), Hlc.format(v.hlc()), v.partition(),
                        v.sequence(), v.requestId(), v.transactionId() != 0 ? "  tx " + v.transactionId() : "",
                        v.record().map(r -> "  metadata " + r.metadata()).orElse(""));
            }
        }
        out.flush();
        return 0;
    }
}
