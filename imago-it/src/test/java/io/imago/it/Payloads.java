package io.imago.it;

/** Payloads taken from the spec's worked examples (§1.5). */
final class Payloads {
    /** Attribute section {@code 00 00 00 04 "attr"} followed by data {@code "hello"}; 13 bytes, flag 1. */
    static final byte[] ATTR_HELLO = {0, 0, 0, 4, 'a', 't', 't', 'r', 'h', 'e', 'l', 'l', 'o'};

    private Payloads() {}
}
