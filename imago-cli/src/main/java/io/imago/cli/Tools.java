package io.imago.cli;

import java.util.Map;
import picocli.CommandLine;

/** What every tool does on failure and with brokers that did not answer. Stateless. */
final class Tools {
    private Tools() {}

    /** Prints {@code imago <command>: <message>} on standard error; returns {@link ExitCodes#FAILURE}. */
    static int fail(CommandLine.Model.CommandSpec spec, ToolException e) {
        spec.commandLine()
                .getErr()
                .println("imago " + spec.qualifiedName(" ").replaceFirst("^imago ", "") + ": " + e.getMessage());
        return ExitCodes.FAILURE;
    }

    /** One line on standard error per broker that did not answer. */
    static void warnUnreachable(CommandLine.Model.CommandSpec spec, BrokerOffsets offsets) {
        for (Map.Entry<Integer, String> down : offsets.unreachable().entrySet()) {
            spec.commandLine()
                    .getErr()
                    .println("warning: broker " + down.getKey() + " did not answer: " + down.getValue());
        }
    }
}
