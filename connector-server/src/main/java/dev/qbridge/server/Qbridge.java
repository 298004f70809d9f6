package dev.qbridge.server;

import dev.qbridge.server.cli.DemoCommand;
import dev.qbridge.server.cli.MigrateCommand;
import dev.qbridge.server.cli.QueuesCommand;
import dev.qbridge.server.output.MaskedHelp;
import dev.qbridge.server.output.MaskedStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code qbridge} command line: the integration server, job migration, queue tools and the demo. Every
 * command writes its results to standard output and its diagnostics to standard error; exit code 0 means
 * done as asked, 1 a failure the message explains, 2 a usage error (such as no command: picocli reports a missing
 * subcommand with the usage, on standard error, since this class runs nothing itself).
 */
@Command(name = "qbridge",
        mixinStandardHelpOptions = true,
        versionProvider = Qbridge.Version.class,
        header = "Moves jobs between Redis queues and files, HTTP, JMS and Kafka without losing one.",
        description = {"",
            "Run it as a server you drop connector files into (server), or as a command line that moves "
                    + "backlogs between Redis and other brokers (migrate) and looks after queues (queues). Start "
                    + "with: qbridge demo"},
        subcommands = {ServerCommand.class, MigrateCommand.class, QueuesCommand.class, DemoCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Run 'qbridge <command> --help' for the options of a command. Docs: docs/server.md, docs/cli.md"},
        usageHelpAutoWidth = true)
public final class Qbridge {

    public static void main(String[] args) {
        // the boundary where text leaves the process: whatever prints to the console (a command, picocli's help with
        // the defaults it shows, a library, an uncaught exception) is masked there, so no new output path can forget it
        Charset console = MaskedStream.consoleCharset();
        System.setOut(MaskedStream.printStream(new FileOutputStream(FileDescriptor.out), console));
        System.setErr(MaskedStream.printStream(new FileOutputStream(FileDescriptor.err), console));
        CommandLine cli = commandLine();
        int exitCode = cli.execute(args);
        // a last line without its line end is still shown (masked)
        cli.getOut().flush();
        cli.getErr().flush();
        System.out.flush();
        System.err.flush();
        System.exit(exitCode);
    }

    /**
     * The command line writing to {@code out} and {@code err} through the same mask as {@link #main} (in UTF-8): for
     * running commands in a test or another program.
     */
    public static CommandLine commandLine(OutputStream out, OutputStream err) {
        CommandLine cli = commandLine();
        cli.setOut(new PrintWriter(new OutputStreamWriter(new MaskedStream(out, StandardCharsets.UTF_8), StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(new MaskedStream(err, StandardCharsets.UTF_8), StandardCharsets.UTF_8), true));
        return cli;
    }

    /** The command line with qbridge's error handling: failures print their message, not a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Qbridge());
        cli.setHelpFactory(new MaskedHelp());
        // wide enough that URIs in the help are not broken at their ':' (a terminal's own width wins when wider)
        cli.setUsageHelpWidth(100);
        cli.setUsageHelpAutoWidth(true);
        cli.getSubcommands().get("server").getCommandSpec().usageMessage().footer(ServerCommand.keysFooter());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("qbridge: " + QbridgeException.describe(e));
            if (Boolean.getBoolean("qbridge.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            return e instanceof QbridgeException q ? q.exitCode() : 1;
        });
        return cli;
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Qbridge.class.getPackage().getImplementationVersion();
            return new String[] {"qbridge " + (v == null ? "development build" : v),
                "Java " + System.getProperty("java.version")};
        }
    }
}
