package io.imago.broker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails a test of the annotated class that leaves watched threads running, and the class when its
 * {@code @BeforeAll} to {@code @AfterAll} span does: see {@link ThreadLeakCheck}. A thread is watched when its
 * name contains one of {@link #value()} or, with {@link #zooKeeper()}, one of the names of ZooKeeper's
 * (client and server) and Curator's threads. Names are matched anywhere, not only at the start,
 * because ZooKeeper names its client threads after the thread that created them.
 *
 * <p>Example: {@code @LeavesNoThreads({"imago-fetch-", "imago-commit-"})}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(ThreadLeakCheck.class)
public @interface LeavesNoThreads {
    /** Parts of the names of the watched threads, such as {@code "imago-fetch-"}. */
    String[] value() default {};

    /** Whether ZooKeeper's client and server threads and Curator's threads are watched too. */
    boolean zooKeeper() default false;

    /** How long to wait, after a test or the class, for the watched threads to end. */
    long waitSeconds() default 10;
}
