package io.imago.store.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Completing the futures of an acknowledged batch, which runs the appenders' callbacks. Recorded through {@link StoreTrace}. */
@Name(StoreTrace.COMPLETE)
@Label("Batch Completion")
@Category({"Imago", "Store"})
@Description("Completing the futures of an acknowledged batch, which runs the appenders' callbacks.")
@Enabled(false)
@StackTrace(false)
public final class CompleteEvent extends Event {
    @Label("Partition")
    String partition;

    @Label("Messages")
    int messages;
}
