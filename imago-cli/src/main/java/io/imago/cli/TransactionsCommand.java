package io.imago.cli;

import io.imago.protocol.command.TxAdminCommand;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code imago transactions [--broker host:port] [list | commit KEY | rollback KEY | forget KEY]}: the
 * operator's view of a broker's transactions (Imago's {@code txadmin} extension). Holds only its
 * options; not thread-safe.
 */
@Command(
        name = "transactions",
        mixinStandardHelpOptions = true,
        description = {
            "Lists the transactions a broker holds (key, state, age, messages): PREPARED XA branches wait for"
                    + " their transaction manager, HEURISTIC_* ones for a FORGET.",
            "commit KEY / rollback KEY decide a PREPARED XA branch heuristically (its transaction manager then"
                    + " gets XA_HEURCOM / XA_HEURRB); forget KEY drops a heuristically completed one."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.LIST_0, "1:the broker did not answer or refused", ExitCodes.LIST_2})
final class TransactionsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--broker",
            paramLabel = "HOST:PORT",
            defaultValue = "127.0.0.1:8123",
            description = "the broker to ask (default: ${DEFAULT-VALUE})")
    String broker;

    @Option(
            names = "--timeout-ms",
            paramLabel = "MS",
            defaultValue = "10000",
            description = "for the broker's answer (default: ${DEFAULT-VALUE})")
    int timeoutMs;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "ACTION",
            defaultValue = "list",
            description = "list (default), commit, rollback or forget")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "KEY", defaultValue = "", description = "the XID key")
    String key;

    @Override
    public Integer call() {
        TxAdminCommand.Op op;
        try {
            op = TxAdminCommand.Op.parse(action.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "ACTION: " + e.getMessage(), e);
        }
        if ((op == TxAdminCommand.Op.LIST) != key.isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    op == TxAdminCommand.Op.LIST ? "list takes no KEY" : op.token() + " needs a KEY");
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            String body = new TxAdminClient(timeoutMs).request(address(broker), op, key);
            if (op == TxAdminCommand.Op.LIST) {
                printList(out, body);
            } else {
                out.println(op.token() + " " + key + ": done");
            }
            return ExitCodes.OK;
        } catch (ToolException e) {
            return Tools.fail(spec, e);
        }
    }

    private static void printList(PrintWriter out, String body) {
        out.printf(Locale.ROOT, "%-22s %10s %8s  %s%n", "STATE", "AGE", "MESSAGES", "KEY");
        if (body.isEmpty()) {
            return;
        }
        for (String line : body.split("\r\n")) {
            String[] f = line.split(" ");
            if (f.length != 4) {
                out.println(line);
                continue;
            }
            out.printf(Locale.ROOT, "%-22s %10s %8s  %s%n", f[1], age(Long.parseLong(f[2])), f[3], f[0]);
        }
    }

    /** {@code 850ms}, {@code 12.3s}, {@code 4m05s}, {@code 2h07m}, {@code 3d04h}. */
    static String age(long ms) {
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3600);
    }

    private InetSocketAddress address(String text) {
        try {
            return BrokerStatsClient.parseAddress(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--broker: " + e.getMessage(), e);
        }
    }
}
