package io.imago.broker.tx;

/**
 * One transaction as the operator sees it ({@code txadmin list}): its key, its state
 * ({@code ACTIVE}, {@code PREPARED}, {@code COMMITTING}, {@code HEURISTIC_COMMITTED},
 * {@code HEURISTIC_ROLLED_BACK}, {@code HEURISTIC_MIXED}), its age in milliseconds since its first
 * record or its begin, and how many messages it holds. Immutable.
 */
public record TxView(String key, String state, long ageMs, int messages) {}
