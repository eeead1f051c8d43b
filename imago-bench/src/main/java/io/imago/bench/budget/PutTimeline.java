package io.imago.bench.budget;

import io.imago.broker.trace.BrokerTrace;
import io.imago.store.trace.StoreTrace;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;

/**
 * The JFR events of one synchronous put, in the order a put crosses them (its critical path), and the
 * time between consecutive boundaries. With one client thread and one put in flight, the events of put
 * {@code i} all start after its {@link BrokerTrace#PUT_HANDLED} and before the next one's, so a
 * recording splits into puts by that event alone ({@link #split}).
 *
 * <pre>
 *  PutHandled.start ─ event loop ─ WriterWakeup.start ─ wake-up ─ .end ─ writer ─ Write.start ─ write ─ .end
 *  ─ Fsync.start ─ fsync ─ .end ─ [CompleterHandoff.start ─ hand-off ─ .end] ─ Complete.start
 *  ─ ReplyWrite.start ─ reply hand-off ─ .end (written to the socket)
 * </pre>
 *
 * {@code CompleterHandoff} (the completion thread of the store before issue 13) is optional: a stage is
 * shown only if every put has it. A put appended while its writer still ran has no wake-up: the writer's
 * run took it without one ({@link #foundRunningWriter}). Not thread-safe.
 */
final class PutTimeline {
    /** The completion thread's hand-off of the old store (kept so that a before/after run reads alike). */
    static final String COMPLETER_HANDOFF = "io.imago.store.CompleterHandoff";

    /** A stage of the critical path: from one event boundary to the next. */
    record Stage(String name, String what) {}

    private final Map<String, RecordedEvent> events = new HashMap<>();

    /** Splits a recording's events into puts, in order; events before the first put are dropped. */
    static List<PutTimeline> split(List<RecordedEvent> recorded) {
        List<RecordedEvent> sorted = new ArrayList<>(recorded);
        sorted.sort(Comparator.comparing(RecordedEvent::getStartTime));
        List<PutTimeline> puts = new ArrayList<>();
        PutTimeline current = null;
        for (RecordedEvent e : sorted) {
            String type = e.getEventType().getName();
            if (type.equals(BrokerTrace.PUT_HANDLED)) {
                current = new PutTimeline();
                puts.add(current);
            }
            if (current != null) {
                current.events.putIfAbsent(type, e);
            }
        }
        return puts;
    }

    /**
     * Whether every event of the critical path is there; the wake-up and the old hand-off aside: a put
     * appended while its writer still runs (completing the previous put) is taken by that run without
     * a wake-up ({@link #foundRunningWriter}).
     */
    boolean isComplete() {
        return events.keySet().containsAll(BrokerTrace.EVENTS)
                && events.keySet().containsAll(List.of(StoreTrace.WRITE, StoreTrace.FSYNC, StoreTrace.COMPLETE));
    }

    /** The put's append found the writer running, so nothing scheduled it: its wake-up stage is 0. */
    boolean foundRunningWriter() {
        return !events.containsKey(StoreTrace.WRITER_WAKEUP);
    }

    /** Whether the reply's event says when its write started on the event loop. */
    boolean hasReplyQueued() {
        return events.get(BrokerTrace.REPLY_WRITE).hasField("queued");
    }

    boolean hasCompleterHandoff() {
        return events.containsKey(COMPLETER_HANDOFF);
    }

    /**
     * The stages of the critical path, in order; with the old completion thread's hand-off, and the
     * reply's hand-off split where its write starts on the event loop ({@code queued}), if asked.
     */
    static List<Stage> stages(boolean withHandoff, boolean withQueued) {
        List<Stage> stages = new ArrayList<>();
        stages.add(new Stage("event loop", "put handed to the processor -> writer scheduled (checks, id, copy)"));
        stages.add(new Stage("writer wake-up", "writer scheduled -> its run starts on a writer thread"));
        stages.add(new Stage("writer to write", "run start -> gathering write (take the batch)"));
        stages.add(new Stage("write", "gathering write (pwrite)"));
        stages.add(new Stage("write to fsync", "write returned -> fsync"));
        stages.add(new Stage("fsync", "fdatasync of the segment"));
        if (withHandoff) {
            stages.add(new Stage("fsync to hand-off", "fsync returned -> batch handed to the completion thread"));
            stages.add(new Stage("completer hand-off", "handed over -> the completion thread takes it"));
            stages.add(new Stage("hand-off to completion", "completion thread -> completing the futures"));
        } else {
            stages.add(new Stage("fsync to completion", "fsync returned -> completing the futures (publish)"));
        }
        stages.add(new Stage("completion to reply", "completing -> the put's callback writes its reply"));
        if (withQueued) {
            stages.add(new Stage("reply to event loop", "callback -> the reply's write starts on the event loop"));
            stages.add(new Stage("reply write", "encode, write(2) to the socket, its promise completed"));
        } else {
            stages.add(new Stage("reply hand-off", "callback -> reply written to the socket by the event loop"));
        }
        return stages;
    }

    /** The nanoseconds of each stage of {@link #stages}, in the same order. */
    long[] stageNanos(boolean withHandoff, boolean withQueued) {
        List<Instant> points = new ArrayList<>();
        points.add(start(BrokerTrace.PUT_HANDLED));
        if (foundRunningWriter()) {
            // the event loop's part ends when the append returns, and the writer's next take starts it
            Instant appended = min(end(BrokerTrace.PUT_HANDLED), start(StoreTrace.WRITE));
            points.add(appended);
            points.add(appended);
        } else {
            points.add(start(StoreTrace.WRITER_WAKEUP));
            points.add(end(StoreTrace.WRITER_WAKEUP));
        }
        points.add(start(StoreTrace.WRITE));
        points.add(end(StoreTrace.WRITE));
        points.add(start(StoreTrace.FSYNC));
        points.add(end(StoreTrace.FSYNC));
        if (withHandoff) {
            points.add(start(COMPLETER_HANDOFF));
            points.add(end(COMPLETER_HANDOFF));
        }
        points.add(start(StoreTrace.COMPLETE));
        points.add(start(BrokerTrace.REPLY_WRITE));
        if (withQueued) {
            Instant looped = start(BrokerTrace.REPLY_WRITE)
                    .plusNanos(events.get(BrokerTrace.REPLY_WRITE).getLong("queued"));
            points.add(min(looped, end(BrokerTrace.REPLY_WRITE)));
        }
        points.add(end(BrokerTrace.REPLY_WRITE));
        long[] nanos = new long[points.size() - 1];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = Duration.between(points.get(i), points.get(i + 1)).toNanos();
        }
        return nanos;
    }

    /** From the put reaching the processor to its reply written to the socket. */
    long brokerNanos() {
        return Duration.between(start(BrokerTrace.PUT_HANDLED), end(BrokerTrace.REPLY_WRITE))
                .toNanos();
    }

    /** The whole of one event (it may overlap the critical path's stages). */
    long durationNanos(String event) {
        return events.get(event).getDuration().toNanos();
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private Instant start(String event) {
        return events.get(event).getStartTime();
    }

    private Instant end(String event) {
        return events.get(event).getEndTime();
    }
}
