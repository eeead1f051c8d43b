package io.imago.broker.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** From the completion of a put's append (on the thread that completed it) to its reply written to the socket by the event loop. Recorded through {@link BrokerTrace}. */
@Name(BrokerTrace.REPLY_WRITE)
@Label("Put Reply Write")
@Category({"Imago", "Broker"})
@Description(
        "From the completion of a put's append (on the thread that completed it) to its reply written to the socket by the event loop.")
@Enabled(false)
@StackTrace(false)
public final class ReplyWriteEvent extends Event {
    @Label("Partition")
    int partition;

    @Label("Written")
    boolean written;

    @Label("Queued")
    @Description("From the completion's write call to the write starting on the channel's event loop")
    @Timespan(Timespan.NANOSECONDS)
    long queued;
}
