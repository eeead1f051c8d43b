package io.imago.store.retention;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.imago.store.PartitionLog;
import io.imago.store.SegmentRetention;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the retention of registered partition logs on a Quartz cron expression (MetaQ's
 * {@code deleteWhen}, default {@code 0 0 6,18 * * ?}), parsed by cron-utils with the Quartz
 * definition. One scheduler per distinct expression; each log is registered with its own policy.
 * The clock says when "now" is; the executor (owned by the caller) runs the passes. A failure on one
 * log is logged and counted, and the pass goes on with the others. Thread-safe.
 */
public final class RetentionScheduler implements AutoCloseable {
    /** MetaQ's default {@code deleteWhen}. */
    public static final String DEFAULT_CRON = "0 0 6,18 * * ?";

    private static final Logger LOG = LoggerFactory.getLogger(RetentionScheduler.class);

    private final String expression;
    private final ExecutionTime executionTime;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final Map<PartitionLog, SegmentRetention> logs = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private final Object scheduleLock = new Object();
    private ScheduledFuture<?> next;
    private ZonedDateTime lastPlanned;
    private boolean closed;

    private RetentionScheduler(
            String expression, ExecutionTime executionTime, Clock clock, ScheduledExecutorService executor) {
        this.expression = expression;
        this.executionTime = executionTime;
        this.clock = clock;
        this.executor = executor;
    }

    /**
     * A scheduler for a Quartz cron expression (6 or 7 fields, seconds first).
     *
     * @throws IllegalArgumentException naming the expression if it does not parse
     */
    public static RetentionScheduler create(String cronExpression, Clock clock, ScheduledExecutorService executor) {
        CronParser parser = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));
        Cron cron;
        try {
            cron = parser.parse(cronExpression).validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid deleteWhen '" + cronExpression + "': " + e.getMessage(), e);
        }
        return new RetentionScheduler(cronExpression, ExecutionTime.forCron(cron), clock, executor);
    }

    public void register(PartitionLog log, SegmentRetention policy) {
        logs.put(log, policy);
    }

    public void unregister(PartitionLog log) {
        logs.remove(log);
    }

    /** Schedules the first pass at the next time the expression matches. */
    public void start() {
        scheduleNext();
        LOG.info(
                "Retention scheduled on '{}', next pass in {}",
                expression,
                delayUntilNextRun().orElse(null));
    }

    /** Time from the clock's now to the next matching instant, if the expression ever matches again. */
    public Optional<Duration> delayUntilNextRun() {
        return executionTime.timeToNextExecution(ZonedDateTime.now(clock));
    }

    /**
     * Runs one retention pass over every registered log now.
     *
     * @return the number of segments removed
     */
    public int runOnce() {
        int removed = 0;
        for (Map.Entry<PartitionLog, SegmentRetention> entry : logs.entrySet()) {
            try {
                removed += entry.getKey().applyRetention(entry.getValue()).size();
            } catch (Exception e) {
                failures.incrementAndGet();
                LOG.warn("Retention of {} failed", entry.getKey(), e);
            }
        }
        return removed;
    }

    /** Logs whose retention failed, counted over all passes. */
    public long failureCount() {
        return failures.get();
    }

    private void scheduleNext() {
        synchronized (scheduleLock) {
            if (closed) {
                return;
            }
            ZonedDateTime now = ZonedDateTime.now(clock);
            ZonedDateTime after = lastPlanned != null && lastPlanned.isAfter(now) ? lastPlanned : now;
            Optional<ZonedDateTime> at = executionTime.nextExecution(after);
            if (at.isEmpty()) {
                LOG.warn("Retention cron '{}' never matches again; no more passes", expression);
                return;
            }
            lastPlanned = at.get();
            long delayMs = Math.max(0, Duration.between(now, at.get()).toMillis());
            next = executor.schedule(this::runScheduled, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void runScheduled() {
        try {
            runOnce();
        } catch (Throwable t) {
            failures.incrementAndGet();
            LOG.error("Retention pass on '{}' failed", expression, t);
        } finally {
            scheduleNext();
        }
    }

    /** Cancels the next pass; a pass in progress finishes. Idempotent. Leaves the executor running. */
    @Override
    public void close() {
        synchronized (scheduleLock) {
            closed = true;
            if (next != null) {
                next.cancel(false);
            }
        }
    }
}
