package io.imago.bench.load;

import java.util.List;

/**
 * A producer that sends in transactions, for {@code bench transactions}. {@link #transact} may be called
 * from several threads at once; each call is one transaction of the calling thread (the systems bind a
 * transaction to a thread or to a producer per thread).
 */
public interface TransactionalProducer extends AutoCloseable {

    /**
     * Begins a transaction, sends every payload in it synchronously (each send returns once the broker
     * answered it), then commits.
     *
     * @return the nanoseconds the commit took, from the commit call to its return
     * @throws Exception when a send or the commit fails (the transaction is then rolled back if it can be)
     */
    long transact(List<byte[]> payloads) throws Exception;

    @Override
    void close();
}
