package io.imago.consumer;

import io.imago.Message;
import io.imago.exception.InvalidMessageException;

/** The messages of one fetched message set (pull consumption), in offset order. Not thread-safe. */
public interface MessageIterator {
    boolean hasNext();

    /**
     * The next complete, CRC-checked message; a partial trailing record is never returned.
     *
     * @throws InvalidMessageException when the next record fails its checks (it is not returned)
     */
    Message next() throws InvalidMessageException;

    /**
     * MetaQ's meaning: the bytes of the fetched set taken by the messages returned so far, so that a pull
     * loop goes on with {@code offset += it.getOffset()}. A record cut at the end of the set is not
     * counted.
     */
    int getOffset();

    /** The partition offset just after the last message returned (the fetch offset before any): where the next fetch starts. */
    long nextOffset();
}
