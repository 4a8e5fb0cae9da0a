package io.vecraft.cli;

import io.vecraft.api.AuditLog;
import io.vecraft.api.Hlc;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.JournalRecord;
import io.vecraft.api.Vecraft;
import io.vecraft.core.metrics.EngineView;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vecraft journal ...}: the journal as an audit stream. Not thread-safe.
 */
@Command(name = "journal", mixinStandardHelpOptions = true, description = "Read the journal (audit log).",
        subcommands = JournalCommand.Tail.class)
final class JournalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code vecraft journal tail}: the last N entries of one partition, or of every partition merged in the
     * journal's total order (HLC, partition, sequence). Not thread-safe.
     */
    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = "Print the last N journal entries (all partitions merged in HLC order, or one partition).")
    static final class Tail implements Callable<Integer> {
        @Mixin
        DataDirectory data;

        @Option(names = {"-n", "--lines"}, defaultValue = "20", description = "how many entries (default ${DEFAULT-VALUE})")
        int lines;

        @Option(names = {"-p", "--partition"}, description = "only this partition (e.g. data-0, tx, system)")
        String partition;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (lines < 1) {
                throw new InvalidArgumentException("lines", "must be at least 1, was " + lines);
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Vecraft db = data.openExisting()) {
                AuditLog log = db.journal();
                List<String> names = partition == null ? log.partitions() : List.of(partition);
                if (partition != null && !log.partitions().contains(partition)) {
                    throw new InvalidArgumentException("partition", "'" + partition + "' is not one of "
                            + log.partitions());
                }
                List<JournalRecord> tail = new ArrayList<>();
                for (String name : names) {
                    long head = headSequence(db, name);
                    try (AuditLog.Cursor c = log.read(name, Math.max(1, head - lines + 1))) {
                        while (c.hasNext()) {
                            tail.add(c.next());
                        }
                    }
                }
                tail.sort(Comparator.comparingLong(JournalRecord::hlc).thenComparing(JournalRecord::partition)
                        .thenComparingLong(JournalRecord::sequence));
                for (JournalRecord r : tail.subList(Math.max(0, tail.size() - lines), tail.size())) {
                    out.println(format(r));
                }
            }
            out.flush();
            return 0;
        }

        /** Ticks are not audit records, so reading from head - n + 1 may give fewer than n: that is the tail. */
        private static long headSequence(Vecraft db, String name) {
            if (db instanceof EngineView view) {
                for (EngineView.PartitionView p : view.partitionViews()) {
                    if (p.name().equals(name)) {
                        return p.headSequence();
                    }
                }
            }
            return 1;
        }

        static String format(JournalRecord r) {
            StringBuilder sb = new StringBuilder();
            sb.append(r.partition()).append('#').append(r.sequence()).append("  ").append(Hlc.format(r.hlc()))
                    .append("  request ").append(r.requestId());
            if (r.transactionId() != 0) {
                sb.append("  tx ").append(r.transactionId());
            }
            sb.append("  ");
            List<String> ops = new ArrayList<>();
            for (JournalRecord.Operation op : r.operations()) {
                if (op instanceof JournalRecord.Upsert u) {
                    ops.add("UPSERT " + u.collection() + "/" + u.record().id());
                } else if (op instanceof JournalRecord.Delete d) {
                    ops.add("DELETE " + d.collection() + "/" + d.id());
                } else if (op instanceof JournalRecord.CreateCollection c) {
                    ops.add("CREATE COLLECTION " + c.spec().name());
                } else if (op instanceof JournalRecord.DropCollection d) {
                    ops.add("DROP COLLECTION " + d.name());
                }
            }
            int shown = Math.min(ops.size(), 5);
            sb.append(String.join(", ", ops.subList(0, shown)));
            if (ops.size() > shown) {
                sb.append(", ... (").append(ops.size()).append(" operations)");
            }
            return sb.toString();
        }
    }
}
