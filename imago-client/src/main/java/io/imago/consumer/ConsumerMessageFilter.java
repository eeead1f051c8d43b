package io.imago.consumer;

import io.imago.Message;

/** Client-side filter of a subscription (same contract as MetaQ's): only accepted messages reach the listener. */
public interface ConsumerMessageFilter {
    boolean accept(String group, Message message);
}
