package io.imago.cli;

/**
 * The exit codes every {@code bin/imago} tool returns, so scripts can trust them: 0 the work was done,
 * 1 it failed (an unreachable broker or ZooKeeper, a refused send, a refused reset), 2 the command
 * line or the configuration is wrong. Constants only.
 */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;

    /** picocli's {@code exitCodeList} for the help of every tool. */
    static final String LIST_0 = "0:done";

    static final String LIST_1 = "1:failed (ZooKeeper or a broker unreachable, a message refused, a reset refused)";
    static final String LIST_2 = "2:usage or configuration error";

    private ExitCodes() {}
}
