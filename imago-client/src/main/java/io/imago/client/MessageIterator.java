package io.imago.client;

/** The messages of one fetched message set (pull consumption), in offset order. Not thread-safe. */
public interface MessageIterator {
    boolean hasNext();

    /** The next complete, CRC-checked message; a partial trailing record is never returned. */
    Message next() throws MetaClientException;

    /** The offset just after the last message returned (where the next fetch starts). */
    long getOffset();
}
