package io.imago.store.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** From the append that scheduled a partition's writer on its directory's writer threads to the start of the writer's run. Recorded through {@link StoreTrace}. */
@Name(StoreTrace.WRITER_WAKEUP)
@Label("Writer Wake-up")
@Category({"Imago", "Store"})
@Description(
        "From the append that scheduled a partition's writer on its directory's writer threads to the start of the writer's run.")
@Enabled(false)
@StackTrace(false)
public final class WriterWakeupEvent extends Event {
    @Label("Partition")
    String partition;
}
