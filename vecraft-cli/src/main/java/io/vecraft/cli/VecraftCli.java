package io.vecraft.cli;

import io.vecraft.api.VecraftException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code vecraft} command line tool on a data directory:
 * {@code info}, {@code verify}, {@code journal tail}, {@code history}, {@code import}, {@code search},
 * {@code snapshot}, {@code restore}.
 *
 * <p>Exit codes: 0 success; 1 the command ran and found a problem (verify found damage) or failed with a
 * Vecraft error (printed as {@code error: ...}); 2 bad usage.
 *
 * <p>Each invocation is single-threaded apart from what the database runs itself; not reentrant per
 * {@link CommandLine} instance.
 */
@Command(name = "vecraft", mixinStandardHelpOptions = true, version = "vecraft 0.1.0-SNAPSHOT",
        description = "Inspect, verify, import into and search a Vecraft data directory.",
        subcommands = {InfoCommand.class, VerifyCommand.class, JournalCommand.class, HistoryCommand.class,
            ImportCommand.class, SearchCommand.class, SnapshotCommand.class, RestoreCommand.class,
            CommandLine.HelpCommand.class})
public final class VecraftCli implements Runnable {
    /** Exit code of a command that ran and found a problem, or failed. */
    public static final int EXIT_PROBLEM = 1;

    @Spec
    CommandSpec spec;

    /** Created by picocli. */
    public VecraftCli() {
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * @return a command line with Vecraft's error handling: a {@link VecraftException} prints its
     *         message (not a stack trace) and exits with {@link #EXIT_PROBLEM}
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new VecraftCli());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (e instanceof VecraftException) {
                err.println("error: " + e.getMessage());
            } else {
                err.println("error: " + e);
                e.printStackTrace(err);
            }
            err.flush();
            return EXIT_PROBLEM;
        });
        return cl;
    }

    /**
     * Runs the tool and exits the JVM with its exit code.
     *
     * @param args command line
     */
    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
