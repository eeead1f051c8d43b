package io.imago.cli;

import io.imago.protocol.InvalidNameException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/imago}: the entry point of every Imago command. */
@Command(
        name = "imago",
        mixinStandardHelpOptions = true,
        versionProvider = ImagoVersion.class,
        description = "Imago, a distributed message queue compatible with MetaQ 1.4.6.2.",
        subcommands = {
            ServerCommand.class,
            ProduceCommand.class,
            ConsumeCommand.class,
            TopicsCommand.class,
            GroupsCommand.class,
            StatsCommand.class,
            TransactionsCommand.class,
            VerifyCommand.class,
            MetaqReadyCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes of the tools (produce, consume, topics, groups, stats):%n",
        exitCodeList = {ExitCodes.LIST_0, ExitCodes.LIST_1, ExitCodes.LIST_2})
public final class ImagoCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length == 0 || !"server".equals(args[0])) {
            // The tools print results on standard output: their logs go to standard error, warnings only,
            // unless IMAGO_JAVA_OPTS says otherwise. Set before the first logger is created.
            defaultProperty("imago.log.level", "WARN");
            defaultProperty("imago.log.target", "System.err");
        }
        CommandLine cli = commandLine(System.in);
        // Flushed at each line, so progress and errors appear as they happen and in order.
        cli.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        System.exit(cli.execute(args));
    }

    /** The command line of every command; {@code produce} reads its lines from {@code in}. */
    static CommandLine commandLine(InputStream in) {
        CommandLine cli = new CommandLine(new ImagoCli());
        ((ProduceCommand) cli.getSubcommands().get("produce").getCommand()).readFrom(in);
        // a topic or group name that breaks the naming rule is a usage error: one line, exit 2
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof InvalidNameException) {
                command.getErr().println("imago " + command.getCommandName() + ": " + e.getMessage());
                return ExitCodes.USAGE;
            }
            throw e;
        });
        return cli;
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
