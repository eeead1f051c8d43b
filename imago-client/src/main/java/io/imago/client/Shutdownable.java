package io.imago.client;

import io.imago.exception.MetaClientException;

/** Something the application shuts down when done with it: factories, producers, consumers, browsers (MetaQ's type). */
public interface Shutdownable {
    /** Releases what this holds; idempotent. */
    void shutdown() throws MetaClientException;
}
