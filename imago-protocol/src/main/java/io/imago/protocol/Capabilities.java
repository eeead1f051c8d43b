package io.imago.protocol;

/**
 * Imago's wire extensions and how a broker announces them: the body of its {@code version} reply is
 * the version string followed by one space-separated token per extension, e.g.
 * {@code imago-0.1.0 putb}. The MetaQ 1.4.6.2 client only checks the status of that reply (it is
 * its heartbeat), so the extra tokens are invisible to it; the original broker answers {@code 0.1}
 * or {@code 1.4.6.2}, which announces nothing, so an Imago client never sends it an extension.
 * Stateless and thread-safe.
 */
public final class Capabilities {
    /** The {@code putb} batched put ({@link io.imago.protocol.command.PutBatchCommand}). */
    public static final String PUT_BATCH = "putb";

    private Capabilities() {
    }

    /** The {@code version} reply body of a broker of {@code version} supporting every extension here. */
    public static String versionBody(String version) {
        return version + " " + PUT_BATCH;
    }

    /** Whether a {@code version} reply body announces {@code putb} (a token after the version string). */
    public static boolean supportsPutBatch(String versionBody) {
        if (versionBody == null) {
            return false;
        }
        String[] tokens = versionBody.trim().split(" ");
        for (int i = 1; i < tokens.length; i++) {
            if (PUT_BATCH.equals(tokens[i])) {
                return true;
            }
        }
        return false;
    }
}
