package io.imago.protocol.codec;

/**
 * Thrown by a line parser when a header line is not a valid frame; the decoder turns it into the
 * {@link MalformedFrame} it emits. Never leaves this package.
 */
final class MalformedFrameException extends Exception {
    private final transient MalformedFrame frame;

    MalformedFrameException(int opaque, String reason) {
        super(reason, null, false, false);
        this.frame = new MalformedFrame(opaque, reason);
    }

    MalformedFrame frame() {
        return frame;
    }
}
