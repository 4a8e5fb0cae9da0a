package io.vecraft.cli;

import io.vecraft.api.Vecraft;
import io.vecraft.api.VerifyReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vecraft verify}: checks every file of a closed data directory ({@link Vecraft#verify}) and prints
 * the problems (or every finding with {@code --all}). Exit code 0 if the directory is OK, 1 if not.
 * Not thread-safe (one run per instance).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check every file of a closed data directory without changing it; exit code 1 if damaged.")
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    DataDirectory data;

    @Option(names = "--all", description = "print every finding, not only the problems")
    boolean all;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        data.requireExisting();
        VerifyReport report = Vecraft.verify(data.directory);
        for (VerifyReport.Finding f : all ? report.findings() : report.problems()) {
            out.println(f);
        }
        out.printf("%s: %d finding(s), %d problem(s): %s%n", data.directory, report.findings().size(),
                report.problems().size(), report.ok() ? "OK" : "DAMAGED");
        out.flush();
        return report.ok() ? 0 : VecraftCli.EXIT_PROBLEM;
    }
}
