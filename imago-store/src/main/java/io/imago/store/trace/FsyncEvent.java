package io.imago.store.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The group-commit fsync of a batch (the active segment). Recorded through {@link StoreTrace}. */
@Name(StoreTrace.FSYNC)
@Label("Log Fsync")
@Category({"Imago", "Store"})
@Description("The group-commit fsync of a batch (the active segment).")
@Enabled(false)
@StackTrace(false)
public final class FsyncEvent extends Event {
    @Label("Partition")
    String partition;
}
