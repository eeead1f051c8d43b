package io.imago.cli;

/**
 * A tool could not do its work (ZooKeeper or a broker unreachable, a refused operation); its message is
 * printed as is and the tool exits with {@link ExitCodes#FAILURE}.
 */
final class ToolException extends Exception {
    private static final long serialVersionUID = 1L;

    ToolException(String message) {
        super(message);
    }

    ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}
