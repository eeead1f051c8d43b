package io.imago.client.internal.transaction;

import io.imago.client.internal.rebalance.ConsumerIdGenerator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Producer session ids as MetaQ's {@code IdGenerator} makes them: {@code <localIp>-<startMillis>-<seq>}
 * (e.g. {@code 192.0.2.2-1795639329547-1}), one generator per session factory, {@code seq} from 1. The
 * session id goes into every local transaction key ({@code TX:<sessionId>:<counter>}) and every
 * {@code transaction} line, so a {@code ':'} (an IPv6 address) is written {@code '-'}. Thread-safe.
 */
public final class SessionIdGenerator {
    private final String seed;
    private final AtomicLong sequence = new AtomicLong(1);

    /** A generator seeded with this machine's address and the current time. */
    public SessionIdGenerator() {
        this(ConsumerIdGenerator.localIp(), System.currentTimeMillis());
    }

    SessionIdGenerator(String localIp, long startMillis) {
        this.seed = localIp.replace(':', '-') + "-" + startMillis + "-";
    }

    /** The next session id. */
    public String next() {
        return seed + sequence.getAndIncrement();
    }
}
