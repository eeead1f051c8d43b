package io.imago.client.internal.storage;

import java.nio.file.Path;

/**
 * A run of bytes in a recover store file that holds no readable record (a flipped bit, a torn
 * append), skipped by the reader: where it starts, how long it is and why it was rejected. Immutable.
 */
public record CorruptRegion(Path file, long position, long length, String reason) {}
