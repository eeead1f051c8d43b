package io.imago.coordination;

import org.apache.curator.framework.state.ConnectionState;

/**
 * What one side of the cluster keeps in ZooKeeper (a broker's registration, a consumer's membership
 * of its group), as the duties a {@link ZooKeeperAgentRunner} calls: Agrona's {@code Agent}, for a
 * ZooKeeper session. The runner owns the thread, the lifecycle, the retries and the session
 * bookkeeping; an implementation only writes and reads its nodes.
 *
 * <p>Every method but {@link #roleName()} and {@link #onClose()} is called on the runner's one thread,
 * one call at a time, so an implementation needs no lock for what only these methods touch.
 */
public interface ZooKeeperAgent {
    /** The name of the runner's thread, such as {@code imago-zk-registrar-0}. */
    String roleName();

    /**
     * Writes this side's nodes for the first time and returns the id of the ZooKeeper session they were
     * written in (read once the client is connected, before the first write). A failure fails
     * {@link ZooKeeperAgentRunner#start}.
     */
    long onStart() throws Exception;

    /**
     * Writes this side's nodes again and returns the session id, as {@link #onStart()} does. Called when
     * Curator connects in a session other than the one last registered, and after a duty failed. A
     * failure goes to the error handler and the call is repeated after the runner's back-off.
     *
     * @param attempt 1 for the first call since the last success, then 2, 3 ...
     */
    long onRepair(int attempt) throws Exception;

    /**
     * Told of every connection state Curator reports, once the registration is current: a connection
     * in a new session is passed on only after {@link #onRepair} succeeded for it (else the retry's
     * {@code onRepair} comes instead). A failure goes to the error handler.
     */
    default void onStateChanged(ConnectionState state) throws Exception {}

    /**
     * Called once by {@link ZooKeeperAgentRunner#close()} on the closing thread, after the runner's
     * thread ended, if {@link #onStart()} was called: removes this side's nodes. Not called on the
     * runner's thread, which close may have interrupted; the single-writer rule holds all the same,
     * since that thread is gone.
     */
    void onClose();
}
