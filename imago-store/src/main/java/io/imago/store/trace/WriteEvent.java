package io.imago.store.trace;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One gathering write of consecutive chunks into a segment. Recorded through {@link StoreTrace}. */
@Name(StoreTrace.WRITE)
@Label("Log Write")
@Category({"Imago", "Store"})
@Description("One gathering write of consecutive chunks into a segment.")
@Enabled(false)
@StackTrace(false)
public final class WriteEvent extends Event {
    @Label("Partition")
    String partition;

    @Label("Bytes")
    @DataAmount
    long bytes;

    @Label("Chunks")
    int chunks;
}
