package io.vecraft.cli;

import io.vecraft.api.SnapshotInfo;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VerifyReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vecraft snapshot}: writes a self-contained consistent backup of the database in {@code --data}
 * ({@link Vecraft#snapshot(Path)}: checkpoints, the journal segments they need, the catalog, a manifest with
 * CRC32C per file) into {@code --to}, which must not exist yet; {@code --verify} checks an existing snapshot
 * instead ({@link Vecraft#verifySnapshot}). Not thread-safe (one run per instance).
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Write a consistent backup of a data directory into a new directory, or verify one.")
final class SnapshotCommand implements Callable<Integer> {
    @Mixin
    DataDirectory data;

    @Option(names = "--to", description = "the snapshot directory to create (must not exist)")
    Path to;

    @Option(names = "--verify", description = "verify the snapshot in this directory instead of taking one")
    Path verify;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (verify != null) {
            VerifyReport report = Vecraft.verifySnapshot(verify);
            for (VerifyReport.Finding f : report.problems()) {
                out.println(f);
            }
            out.printf("%s: %d file(s) checked, %d problem(s): %s%n", verify, report.findings().size(),
                    report.problems().size(), report.ok() ? "OK" : "DAMAGED");
            out.flush();
            return report.ok() ? 0 : VecraftCli.EXIT_PROBLEM;
        }
        if (to == null) {
            throw new io.vecraft.api.InvalidArgumentException("--to", "give the snapshot directory to create"
                    + " (or --verify DIR)");
        }
        try (Vecraft db = data.openExisting()) {
            SnapshotInfo info = db.snapshot(to);
            out.printf("snapshot %s: %d file(s), %d bytes written in %d ms, consistent at HLC %d; journal heads %s%n",
                    info.location(), info.files(), info.bytes(), info.millis(), info.hlc(), info.heads());
        }
        out.flush();
        return 0;
    }
}
