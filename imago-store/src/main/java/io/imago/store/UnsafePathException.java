package io.imago.store;

import java.io.IOException;

/** A partition directory would be outside its data directory; nothing was created. Immutable. */
public final class UnsafePathException extends IOException {
    private static final long serialVersionUID = 1L;

    public UnsafePathException(String message) {
        super(message);
    }
}
