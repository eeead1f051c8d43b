package io.imago.store.trace;

import java.util.List;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

/**
 * The store's hooks for JFR events at the stage boundaries of an append (the latency budget of a put,
 * {@code docs/performance.md}): a writer's wake-up, its gathering write, its fsync and the completion
 * of its batch. The events are disabled by default ({@code @Enabled(false)}): only a recording that
 * enables them by name (for example {@code bin/imago bench put-budget}) gets them, and the default JFR
 * profiles do not.
 *
 * <p>Cost when off: a hook reads {@link FlightRecorder#isInitialized()} (a static field) and returns
 * null, or does nothing with a null event; no event class is loaded before JFR runs (loading the first
 * one initialises JFR, about a third of a second) and nothing is allocated. Once JFR runs, a hook also
 * reads its event type's enabled flag. Every {@code …Begin} returns the event (begun) or null, and every
 * {@code …End} accepts that null. Thread-safe; an event may begin on one thread and end on another.
 */
public final class StoreTrace {
    /** From the append (or reschedule) that put a writer on its directory's threads to its run start. */
    public static final String WRITER_WAKEUP = "io.imago.store.WriterWakeup";
    /** One gathering write of consecutive chunks into a segment. */
    public static final String WRITE = "io.imago.store.Write";
    /** The group-commit fsync of a batch. */
    public static final String FSYNC = "io.imago.store.Fsync";
    /** Completing the futures of an acknowledged batch (runs the appenders' callbacks). */
    public static final String COMPLETE = "io.imago.store.Complete";
    /** Every event name above. */
    public static final List<String> EVENTS = List.of(WRITER_WAKEUP, WRITE, FSYNC, COMPLETE);

    private StoreTrace() {}

    public static WriterWakeupEvent wakeupBegin() {
        if (!FlightRecorder.isInitialized() || !Types.WAKEUP.isEnabled()) {
            return null;
        }
        WriterWakeupEvent e = new WriterWakeupEvent();
        e.begin();
        return e;
    }

    public static void wakeupEnd(WriterWakeupEvent e, String partition) {
        if (e != null && e.shouldCommit()) {
            e.partition = partition;
            e.commit();
        }
    }

    public static WriteEvent writeBegin() {
        if (!FlightRecorder.isInitialized() || !Types.WRITE.isEnabled()) {
            return null;
        }
        WriteEvent e = new WriteEvent();
        e.begin();
        return e;
    }

    public static void writeEnd(WriteEvent e, String partition, long bytes, int chunks) {
        if (e != null && e.shouldCommit()) {
            e.partition = partition;
            e.bytes = bytes;
            e.chunks = chunks;
            e.commit();
        }
    }

    public static FsyncEvent fsyncBegin() {
        if (!FlightRecorder.isInitialized() || !Types.FSYNC.isEnabled()) {
            return null;
        }
        FsyncEvent e = new FsyncEvent();
        e.begin();
        return e;
    }

    public static void fsyncEnd(FsyncEvent e, String partition) {
        if (e != null && e.shouldCommit()) {
            e.partition = partition;
            e.commit();
        }
    }

    public static CompleteEvent completeBegin() {
        if (!FlightRecorder.isInitialized() || !Types.COMPLETE.isEnabled()) {
            return null;
        }
        CompleteEvent e = new CompleteEvent();
        e.begin();
        return e;
    }

    public static void completeEnd(CompleteEvent e, String partition, int messages) {
        if (e != null && e.shouldCommit()) {
            e.partition = partition;
            e.messages = messages;
            e.commit();
        }
    }

    /** Initialised at the first hook after JFR started: looking a type up registers the event class. */
    private static final class Types {
        static final EventType WAKEUP = EventType.getEventType(WriterWakeupEvent.class);
        static final EventType WRITE = EventType.getEventType(WriteEvent.class);
        static final EventType FSYNC = EventType.getEventType(FsyncEvent.class);
        static final EventType COMPLETE = EventType.getEventType(CompleteEvent.class);
    }
}
