package io.imago.protocol;

import io.imago.protocol.codec.WireDescriptor;

/**
 * Imago's wire extensions and how a broker announces them: the body of its {@code version} reply is
 * the version string followed by one space-separated token per extension, e.g.
 * {@code imago-0.1.0 putb=4194304 longpoll txadmin} ({@code putb} and the most body bytes one {@code putb} may
 * carry; the long-polling {@code get}; the operator's transaction commands). The MetaQ 1.4.6.2 client only checks the status of that reply (it is
 * its heartbeat), so the extra tokens are invisible to it; the original broker answers {@code 0.1}
 * or {@code 1.4.6.2}, which announces nothing, so an Imago client never sends it an extension.
 * Stateless and thread-safe.
 */
public final class Capabilities {
    /** The {@code putb} batched put ({@link io.imago.protocol.command.PutBatchCommand}). */
    public static final String PUT_BATCH = "putb";
    /** The long-polling {@code get} ({@link io.imago.protocol.command.GetCommand#maxWaitMs()}). */
    public static final String LONG_POLL = "longpoll";
    /** The operator's transaction commands ({@link io.imago.protocol.command.TxAdminCommand}). */
    public static final String TX_ADMIN = "txadmin";

    private Capabilities() {}

    /**
     * The {@code version} reply body of a broker of {@code version} serving every extension here,
     * whose frames may carry at most {@code maxBodyBytes}.
     */
    public static String versionBody(String version, int maxBodyBytes) {
        return version + " " + PUT_BATCH + "=" + maxBodyBytes + " " + LONG_POLL + " " + TX_ADMIN;
    }

    /** Whether a {@code version} reply body announces the long-polling get (a token after the version string). */
    public static boolean supportsLongPoll(String versionBody) {
        return "".equals(announced(versionBody, LONG_POLL));
    }

    /** Whether a {@code version} reply body announces the operator's {@code txadmin} command. */
    public static boolean supportsTxAdmin(String versionBody) {
        return "".equals(announced(versionBody, TX_ADMIN));
    }

    /** Whether a {@code version} reply body announces {@code putb} (a token after the version string). */
    public static boolean supportsPutBatch(String versionBody) {
        return putBatchMaxBytes(versionBody) > 0;
    }

    /**
     * The most body bytes of a {@code putb} a {@code version} reply body announces: {@code n} for a
     * token {@code putb=n}, the protocol's default limit for a bare {@code putb}, and 0 when
     * {@code putb} is not announced (or its limit is not a positive number).
     */
    public static int putBatchMaxBytes(String versionBody) {
        String value = announced(versionBody, PUT_BATCH);
        if (value == null) {
            return 0;
        }
        if (value.isEmpty()) {
            return WireDescriptor.DEFAULT_MAX_BODY_BYTES;
        }
        try {
            return Math.max(0, Integer.parseInt(value));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The value of extension {@code name} in a {@code version} reply body: {@code ""} for a bare token
     * {@code name}, {@code v} for {@code name=v}, {@code null} when not announced. Tokens count only
     * after the first (the version string itself).
     */
    private static String announced(String versionBody, String name) {
        if (versionBody == null) {
            return null;
        }
        String[] tokens = versionBody.trim().split(" ");
        for (int i = 1; i < tokens.length; i++) {
            String t = tokens[i];
            if (t.equals(name)) {
                return "";
            }
            if (t.startsWith(name + "=")) {
                return t.substring(name.length() + 1);
            }
        }
        return null;
    }
}
