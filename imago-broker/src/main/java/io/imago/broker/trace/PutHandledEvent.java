package io.imago.broker.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A put on the event loop: from the decoded command reaching the put processor (validation, partition, id) to the return of the append that copied it. Recorded through {@link BrokerTrace}. */
@Name(BrokerTrace.PUT_HANDLED)
@Label("Put Handled")
@Category({"Imago", "Broker"})
@Description(
        "A put on the event loop: from the decoded command reaching the put processor (validation, partition, id) to the return of the append that copied it.")
@Enabled(false)
@StackTrace(false)
public final class PutHandledEvent extends Event {
    @Label("Topic")
    String topic;

    @Label("Partition")
    int partition;

    @Label("Body Bytes")
    int bytes;
}
