package io.imago.broker;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs an example test class through the JUnit launcher, for the tests of the test kit's extensions,
 * whose examples are meant to fail. An example carries {@code @ExtendWith(ExampleRun.class)}: it is
 * then disabled everywhere else (an IDE's "run all", a build that finds nested classes).
 *
 * <p>Thread-safe as far as the JUnit launcher is; a run blocks until the example class is done.
 */
final class ExampleRun implements ExecutionCondition {
    private static final String PARAMETER = "imago.testkit.exampleRun";

    /** Runs the Jupiter tests of {@code example}; returns what happened. */
    static TestExecutionSummary run(Class<?> example) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(selectClass(example))
                                .filters(EngineFilter.includeEngines("junit-jupiter"))
                                .configurationParameter(PARAMETER, "true")
                                .build(),
                        listener);
        return listener.getSummary();
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return context.getConfigurationParameter(PARAMETER).isPresent()
                ? ConditionEvaluationResult.enabled("run by ExampleRun")
                : ConditionEvaluationResult.disabled("an example for a test of the test kit, run only by that test");
    }
}
