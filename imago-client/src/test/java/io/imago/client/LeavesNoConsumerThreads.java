package io.imago.client;

import io.imago.broker.LeavesNoThreads;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * {@link LeavesNoThreads} watching a consumer's threads: a test of the annotated class fails when it
 * leaves a fetch, recover, commit or rebalance thread running.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@LeavesNoThreads({"imago-fetch-", "imago-recover-", "imago-commit-", "imago-rebalance-"})
@interface LeavesNoConsumerThreads {}
