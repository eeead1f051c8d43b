package io.imago.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/imago}: the entry point of every Imago command. */
@Command(name = "imago",
        mixinStandardHelpOptions = true,
        versionProvider = ImagoVersion.class,
        description = "Imago, a distributed message queue compatible with MetaQ 1.4.6.2.",
        subcommands = {ServerCommand.class, CommandLine.HelpCommand.class})
public final class ImagoCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new ImagoCli());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
