package io.imago.client.internal.transaction;

import io.imago.client.internal.cluster.TopicBrokers;
import io.imago.client.internal.remoting.RemotingException;
import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.protocol.command.TransactionId;
import io.imago.protocol.command.TransactionType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XA side of one XA producer: its branches and the {@link XAResource} of each thread.
 *
 * <p>MetaQ binds an XA producer's resource to one broker common to all its topics. Here one branch
 * may publish to partitions of several brokers, and the producer's resource coordinates them itself:
 * {@code start} only associates the calling thread with the branch; the first put to a broker sends
 * that broker the branch's {@code BEGIN}; {@code end} sends {@code END} to every broker the branch
 * began on; {@code prepare} prepares every one of them (any failure rolls all of them back and is
 * reported as {@code XA_RB*}); {@code commit} commits every prepared one, and when a broker cannot
 * be reached or fails it throws {@code XA_RETRY} so the transaction manager commits again later (a
 * broker that already committed answers {@code XAER_NOTA} then, which counts as done); a one-phase
 * commit over several brokers prepares all of them first. {@code recover} is the union of what every
 * broker known to the producer lists for the producer's unique qualifier; a commit or rollback of a
 * branch this process does not know (after a restart) goes to every broker that listed it and every
 * broker the producer knows. The broker set of a branch lives only in memory: see
 * docs/transactions.md for what that costs when the client dies during a commit.
 *
 * <p>Branch keys are MetaQ's {@code XID:<formatId>:<hex gtid>:<hex bqual>:<uniqueQualifier>}. Thread-safe:
 * a branch's state is guarded by the branch; the resource a thread gets is its own.
 */
public final class XaBranches {
    private static final Logger LOG = LoggerFactory.getLogger(XaBranches.class);

    private final TransactionRequests requests;
    private final Supplier<Set<String>> brokerUrls;
    private final BooleanSupplier localInProgress;
    private final IntSupplier defaultTimeoutSeconds;
    private final LongSupplier requestTimeoutMs;
    /** Every broker a branch of this producer began on, and every one routes ever listed: only grows. */
    private final Set<String> knownUrls = ConcurrentHashMap.newKeySet();

    private final ConcurrentMap<XidRef, Branch> branches = new ConcurrentHashMap<>();
    /** Where the last recover scan found each branch this process does not know. */
    private final ConcurrentMap<XidRef, Set<String>> recoveredAt = new ConcurrentHashMap<>();

    @SuppressWarnings("ThreadLocalUsage") // a binding per producer and thread, as MetaQ's: not per class
    private final ThreadLocal<Resource> resources = new ThreadLocal<>();

    private volatile String uniqueQualifier;

    /**
     * @param brokerUrls the brokers of the producer's published topics now
     * @param localInProgress whether the calling thread has a local transaction of the producer
     */
    public XaBranches(
            TransactionRequests requests,
            Supplier<Set<String>> brokerUrls,
            BooleanSupplier localInProgress,
            IntSupplier defaultTimeoutSeconds,
            LongSupplier requestTimeoutMs,
            String uniqueQualifier) {
        this.requests = requests;
        this.brokerUrls = brokerUrls;
        this.localInProgress = localInProgress;
        this.defaultTimeoutSeconds = defaultTimeoutSeconds;
        this.requestTimeoutMs = requestTimeoutMs;
        this.uniqueQualifier = uniqueQualifier;
    }

    public String uniqueQualifier() {
        return uniqueQualifier;
    }

    /** Sets the qualifier of branches started from now on (a started one keeps its key). */
    public void setUniqueQualifier(String qualifier) {
        this.uniqueQualifier = qualifier;
    }

    /** The calling thread's resource (created on the first call). */
    public XAResource resource() {
        Resource r = resources.get();
        if (r == null) {
            r = new Resource();
            resources.set(r);
        }
        return r;
    }

    /** The branch the calling thread's resource is associated with, as a send sees it; null if none. */
    public TxSend currentForSend() {
        Resource r = resources.get();
        Branch b = r == null ? null : r.associated;
        return b == null ? null : b.sender;
    }

    /** The number of branches this process is still finishing (for tests and diagnostics). */
    public int liveBranches() {
        return branches.size();
    }

    /** The branch keys for a {@link Xid}, without the qualifier. */
    record XidRef(int formatId, String gtid, String bqual) {
        static XidRef of(Xid xid) {
            HexFormat hex = HexFormat.of();
            return new XidRef(
                    xid.getFormatId(),
                    hex.formatHex(xid.getGlobalTransactionId()),
                    hex.formatHex(xid.getBranchQualifier()));
        }

        TransactionId.Xa key(String qualifier) {
            HexFormat hex = HexFormat.of();
            return new TransactionId.Xa(formatId, hex.parseHex(gtid), hex.parseHex(bqual), qualifier);
        }
    }

    enum State {
        ACTIVE,
        SUSPENDED,
        ENDED,
        ROLLBACK_ONLY,
        PREPARED,
        COMMITTING
    }

    /** One branch: where it began, how far it got. Guarded by itself. */
    private final class Branch {
        final XidRef ref;
        final TransactionId.Xa key;
        final int timeoutSeconds;
        /** Broker URL to the outcome of its BEGIN, in the order of first use. */
        final Map<String, CompletableFuture<Void>> begins = new LinkedHashMap<>();

        final Set<String> readOnly = new LinkedHashSet<>();
        final Set<String> done = new LinkedHashSet<>();
        State state = State.ACTIVE;
        int associations = 1;
        final TxSend sender = new BranchSender(this);

        Branch(XidRef ref, TransactionId.Xa key, int timeoutSeconds) {
            this.ref = ref;
            this.key = key;
            this.timeoutSeconds = timeoutSeconds;
        }

        synchronized List<String> urls() {
            return new ArrayList<>(begins.keySet());
        }
    }

    private final class BranchSender implements TxSend {
        private final Branch branch;

        BranchSender(Branch branch) {
            this.branch = branch;
        }

        @Override
        public List<Partition> partitions(TopicBrokers brokers) {
            return brokers.partitions();
        }

        @Override
        public TransactionId beforePut(String url) throws MetaClientException, InterruptedException {
            CompletableFuture<Void> begun;
            boolean mine = false;
            synchronized (branch) {
                if (branch.state != State.ACTIVE) {
                    throw new MetaClientException("XA branch " + branch.key + " takes no sends: it is " + branch.state);
                }
                begun = branch.begins.get(url);
                if (begun == null) {
                    begun = new CompletableFuture<>();
                    branch.begins.put(url, begun); // before the BEGIN: a rollback must reach it whatever happens
                    mine = true;
                }
            }
            knownUrls.add(url);
            if (mine) {
                try {
                    TransactionRequests.Reply reply = requests.request(
                            url,
                            requests.command(
                                    branch.key,
                                    TransactionType.BEGIN,
                                    branch.timeoutSeconds,
                                    branch.key.uniqueQualifier()),
                            requestTimeoutMs.getAsLong());
                    if (!reply.isSuccess()) {
                        throw new MetaClientException(
                                "Begin of " + branch.key + " at " + url + " failed: " + reply.text());
                    }
                    begun.complete(null);
                } catch (RemotingException e) {
                    begun.completeExceptionally(e);
                    throw new MetaClientException(
                            "Begin of " + branch.key + " at " + url + " failed: " + e.getMessage(), e);
                } catch (MetaClientException | RuntimeException | InterruptedException e) {
                    begun.completeExceptionally(e);
                    throw e;
                }
            } else {
                try {
                    begun.get(requestTimeoutMs.getAsLong(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    throw new MetaClientException("Begin of " + branch.key + " at " + url + " failed", e.getCause());
                } catch (TimeoutException e) {
                    throw new MetaClientException("Begin of " + branch.key + " at " + url + " still unanswered", e);
                }
            }
            return branch.key;
        }
    }

    private Set<String> allUrls(XidRef ref) {
        Set<String> urls = new TreeSet<>(brokerUrls.get());
        knownUrls.addAll(urls);
        urls.addAll(knownUrls);
        Set<String> listed = ref == null ? null : recoveredAt.get(ref);
        if (listed != null) {
            urls.addAll(listed);
        }
        return urls;
    }

    private TransactionRequests.Reply send(String url, TransactionId key, TransactionType type)
            throws RemotingException, InterruptedException {
        return requests.request(
                url,
                requests.command(
                        key, type, 0, key instanceof TransactionId.Xa x ? x.uniqueQualifier() : uniqueQualifier),
                requestTimeoutMs.getAsLong());
    }

    private static XAException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return TransactionRequests.xaException(XAException.XAER_RMFAIL, "interrupted", e);
    }

    private static boolean isRollbackCode(int code) {
        return code >= XAException.XA_RBBASE && code <= XAException.XA_RBEND;
    }

    private static boolean isHeuristic(int code) {
        return code == XAException.XA_HEURCOM
                || code == XAException.XA_HEURRB
                || code == XAException.XA_HEURMIX
                || code == XAException.XA_HEURHAZ;
    }

    /** Phase one on every broker of the branch; on any failure every one is rolled back and this throws. */
    private int prepareAll(Branch branch) throws XAException {
        List<String> urls = branch.urls();
        XAException failure = null;
        String failedAt = null;
        for (String url : urls) {
            try {
                TransactionRequests.Reply reply = send(url, branch.key, TransactionType.PREPARE);
                if (!reply.isSuccess()) {
                    failure = TransactionRequests.toXaException(reply);
                } else if (String.valueOf(XAResource.XA_RDONLY)
                        .equals(reply.text().trim())) {
                    synchronized (branch) {
                        branch.readOnly.add(url);
                    }
                } else if (!String.valueOf(XAResource.XA_OK).equals(reply.text().trim())) {
                    failure = TransactionRequests.xaException(
                            XAException.XAER_RMERR, "unexpected vote '" + reply.text() + "'", null);
                }
            } catch (RemotingException e) {
                failure = TransactionRequests.xaException(XAException.XAER_RMFAIL, e.getMessage(), e);
            } catch (InterruptedException e) {
                failure = interrupted(e);
            }
            if (failure != null) {
                failedAt = url;
                break;
            }
        }
        if (failure != null) {
            LOG.warn(
                    "Prepare of {} failed at {} ({}); rolling it back on every broker of the branch {}",
                    branch.key,
                    failedAt,
                    failure.getMessage(),
                    urls);
            rollbackQuietly(branch);
            branches.remove(branch.ref, branch);
            throw TransactionRequests.xaException(
                    isRollbackCode(failure.errorCode) ? failure.errorCode : XAException.XA_RBOTHER,
                    "Prepare of " + branch.key + " failed at " + failedAt + ": " + failure.getMessage()
                            + "; rolled back on every broker of the branch",
                    failure);
        }
        synchronized (branch) {
            if (branch.readOnly.containsAll(urls)) {
                branches.remove(branch.ref, branch);
                return XAResource.XA_RDONLY;
            }
            branch.state = State.PREPARED;
        }
        return XAResource.XA_OK;
    }

    /** Best effort: ROLLBACK to every broker of the branch (used when phase one failed). */
    private void rollbackQuietly(Branch branch) {
        for (String url : branch.urls()) {
            try {
                TransactionRequests.Reply reply = send(url, branch.key, TransactionType.ROLLBACK);
                if (!reply.isSuccess()) {
                    LOG.debug("Rollback of {} at {}: {}", branch.key, url, reply.text());
                }
            } catch (RemotingException e) {
                LOG.warn(
                        "Rollback of {} at {} failed ({}); the broker rolls an unprepared branch back at its "
                                + "timeout or restart, a prepared one when the transaction manager recovers",
                        branch.key,
                        url,
                        e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** What sending one completion (commit, rollback, forget) to a set of brokers came to. */
    private static final class Outcome {
        final List<String> applied = new ArrayList<>();
        final List<String> unknown = new ArrayList<>();
        final Map<String, XAException> failed = new LinkedHashMap<>();
        final Map<String, Integer> heuristic = new HashMap<>();

        String describeFailures() {
            List<String> parts = new ArrayList<>();
            failed.forEach((url, e) -> parts.add(url + ": " + e.getMessage() + " (code " + e.errorCode + ")"));
            return String.join("; ", parts);
        }
    }

    private Outcome complete(Iterable<String> urls, TransactionId.Xa key, TransactionType type) throws XAException {
        Outcome out = new Outcome();
        for (String url : urls) {
            try {
                TransactionRequests.Reply reply = send(url, key, type);
                if (reply.isSuccess()) {
                    out.applied.add(url);
                    continue;
                }
                XAException e = TransactionRequests.toXaException(reply);
                if (e.errorCode == XAException.XAER_NOTA) {
                    out.unknown.add(url);
                } else if (isHeuristic(e.errorCode)) {
                    out.heuristic.put(url, e.errorCode);
                } else {
                    out.failed.put(url, e);
                }
            } catch (RemotingException e) {
                out.failed.put(url, TransactionRequests.xaException(XAException.XAER_RMFAIL, e.getMessage(), e));
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
        }
        return out;
    }

    /**
     * The heuristic code of a completion: HEURCOM/HEURRB when every heuristic broker agrees with
     * {@code committed}'s direction and nothing else happened, else MIX or HAZ.
     */
    private static int heuristicCode(Outcome out, boolean commit) {
        boolean hazard = out.heuristic.containsValue(XAException.XA_HEURHAZ);
        boolean mixed = out.heuristic.containsValue(XAException.XA_HEURMIX)
                || (out.heuristic.containsValue(commit ? XAException.XA_HEURRB : XAException.XA_HEURCOM)
                        && !out.applied.isEmpty());
        if (mixed) {
            return XAException.XA_HEURMIX;
        }
        if (hazard) {
            return XAException.XA_HEURHAZ;
        }
        if (out.heuristic.containsValue(XAException.XA_HEURCOM) && out.heuristic.containsValue(XAException.XA_HEURRB)) {
            return XAException.XA_HEURMIX;
        }
        return out.heuristic.values().iterator().next();
    }

    private void commitPrepared(Branch branch) throws XAException {
        List<String> targets;
        synchronized (branch) {
            targets = new ArrayList<>(branch.begins.keySet());
            targets.removeAll(branch.readOnly);
            targets.removeAll(branch.done);
            branch.state = State.COMMITTING;
        }
        Outcome out = complete(targets, branch.key, TransactionType.COMMIT_TWO_PHASE);
        synchronized (branch) {
            branch.done.addAll(out.applied);
            branch.done.addAll(out.unknown); // a broker that committed at an earlier attempt no longer knows it
            branch.done.addAll(out.heuristic.keySet());
        }
        if (!out.unknown.isEmpty()) {
            LOG.debug("Commit of {}: {} no longer knew it (committed at an earlier attempt)", branch.key, out.unknown);
        }
        if (!out.failed.isEmpty()) {
            throw TransactionRequests.xaException(
                    XAException.XA_RETRY,
                    "Commit of " + branch.key + " not done at " + out.failed.keySet() + " (" + out.describeFailures()
                            + "); it stays prepared there: commit again",
                    out.failed.values().iterator().next());
        }
        branches.remove(branch.ref, branch);
        if (!out.heuristic.isEmpty()) {
            throw TransactionRequests.xaException(
                    heuristicCode(out, true),
                    "Commit of " + branch.key + ": heuristic outcome at " + out.heuristic,
                    null);
        }
    }

    private void commitUnknown(XidRef ref) throws XAException {
        TransactionId.Xa key = ref.key(uniqueQualifier);
        Set<String> urls = allUrls(ref);
        if (urls.isEmpty()) {
            throw TransactionRequests.xaException(
                    XAException.XAER_RMFAIL, "No broker known to commit " + key + " at: publish a topic first", null);
        }
        Outcome out = complete(urls, key, TransactionType.COMMIT_TWO_PHASE);
        if (!out.failed.isEmpty()) {
            throw TransactionRequests.xaException(
                    XAException.XA_RETRY,
                    "Commit of " + key + " not done at " + out.failed.keySet() + " (" + out.describeFailures()
                            + "); commit again",
                    out.failed.values().iterator().next());
        }
        recoveredAt.remove(ref);
        if (!out.heuristic.isEmpty()) {
            throw TransactionRequests.xaException(
                    heuristicCode(out, true), "Commit of " + key + ": heuristic outcome at " + out.heuristic, null);
        }
        if (out.applied.isEmpty()) {
            throw TransactionRequests.xaException(XAException.XAER_NOTA, "No broker knows " + key, null);
        }
        LOG.info("Committed recovered branch {} at {}", key, out.applied);
    }

    private void rollbackBranch(XidRef ref, Branch branch) throws XAException {
        TransactionId.Xa key;
        Set<String> targets;
        if (branch != null) {
            synchronized (branch) {
                key = branch.key;
                targets = new LinkedHashSet<>(branch.begins.keySet());
                targets.removeAll(branch.done);
                branch.state = State.ROLLBACK_ONLY;
            }
        } else {
            key = ref.key(uniqueQualifier);
            targets = allUrls(ref);
        }
        Outcome out = complete(targets, key, TransactionType.ROLLBACK);
        if (branch != null) {
            synchronized (branch) {
                branch.done.addAll(out.applied);
                branch.done.addAll(out.unknown);
                branch.done.addAll(out.heuristic.keySet());
            }
        }
        if (!out.failed.isEmpty()) {
            throw TransactionRequests.xaException(
                    XAException.XAER_RMFAIL,
                    "Rollback of " + key + " not done at " + out.failed.keySet() + " (" + out.describeFailures() + ")",
                    out.failed.values().iterator().next());
        }
        if (branch != null) {
            branches.remove(ref, branch);
        }
        recoveredAt.remove(ref);
        if (!out.heuristic.isEmpty()) {
            throw TransactionRequests.xaException(
                    heuristicCode(out, false), "Rollback of " + key + ": heuristic outcome at " + out.heuristic, null);
        }
        if (branch == null && out.applied.isEmpty()) {
            throw TransactionRequests.xaException(XAException.XAER_NOTA, "No broker knows " + key, null);
        }
    }

    private void sendEnd(Branch branch) {
        List<String> urls;
        synchronized (branch) {
            urls = new ArrayList<>();
            branch.begins.forEach((url, begun) -> {
                if (begun.isDone() && !begun.isCompletedExceptionally()) {
                    urls.add(url);
                }
            });
        }
        for (String url : urls) {
            if (!requests.sendOneWay(
                    url, requests.command(branch.key, TransactionType.END, 0, branch.key.uniqueQualifier()))) {
                LOG.debug("END of {} not sent to {}: not connected", branch.key, url);
            }
        }
    }

    /** The resource of one thread of the producer. */
    private final class Resource implements XAResource {
        private volatile Branch associated;
        private volatile int timeoutSeconds = defaultTimeoutSeconds.getAsInt();
        private boolean scanOpen;

        private XaBranches owner() {
            return XaBranches.this;
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            if (xid == null) {
                throw new XAException(XAException.XAER_INVAL);
            }
            if (localInProgress.getAsBoolean()) {
                throw new XAException(XAException.XAER_PROTO);
            }
            if (associated != null) {
                throw TransactionRequests.xaException(
                        XAException.XAER_PROTO,
                        "This resource is associated with " + associated.key + " already",
                        null);
            }
            XidRef ref = XidRef.of(xid);
            if ((flags & (TMJOIN | TMRESUME)) != 0) {
                Branch b = branches.get(ref);
                if (b == null) {
                    throw new XAException(XAException.XAER_NOTA);
                }
                synchronized (b) {
                    boolean resumable = (flags & TMRESUME) != 0
                            ? b.state == State.SUSPENDED
                            : b.state == State.ACTIVE || b.state == State.ENDED || b.state == State.SUSPENDED;
                    if (!resumable) {
                        throw TransactionRequests.xaException(
                                XAException.XAER_PROTO, "Branch " + b.key + " is " + b.state, null);
                    }
                    b.state = State.ACTIVE;
                    b.associations++;
                }
                associated = b;
                return;
            }
            if (flags != TMNOFLAGS) {
                throw new XAException(XAException.XAER_INVAL);
            }
            Branch b = new Branch(ref, ref.key(uniqueQualifier), timeoutSeconds);
            if (branches.putIfAbsent(ref, b) != null) {
                throw new XAException(XAException.XAER_DUPID);
            }
            associated = b;
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            Branch b = associated;
            if (b == null || !b.ref.equals(XidRef.of(xid))) {
                if (flags == TMSUCCESS) {
                    return; // as MetaQ: ending a branch this resource is not associated with is ignored
                }
                throw new XAException(XAException.XAER_PROTO);
            }
            boolean sendEnd;
            synchronized (b) {
                switch (flags) {
                    case TMSUSPEND -> {
                        b.state = State.SUSPENDED;
                        b.associations--;
                        sendEnd = false;
                    }
                    case TMSUCCESS, TMFAIL -> {
                        b.associations--;
                        if (flags == TMFAIL) {
                            b.state = State.ROLLBACK_ONLY;
                        } else if (b.state != State.ROLLBACK_ONLY && b.associations == 0) {
                            b.state = State.ENDED;
                        }
                        sendEnd = b.associations == 0;
                    }
                    default -> throw new XAException(XAException.XAER_INVAL);
                }
            }
            associated = null;
            if (sendEnd) {
                sendEnd(b);
            }
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            XidRef ref = XidRef.of(xid);
            Branch b = branches.get(ref);
            if (b == null) {
                throw TransactionRequests.xaException(XAException.XAER_NOTA, "Unknown branch " + xid, null);
            }
            synchronized (b) {
                if (b.associations > 0) {
                    throw new XAException(XAException.XAER_PROTO);
                }
                if (b.state == State.ROLLBACK_ONLY) {
                    // fall through to the rollback below
                } else if (b.state != State.ENDED) {
                    throw TransactionRequests.xaException(
                            XAException.XAER_PROTO, "Branch " + b.key + " is " + b.state, null);
                } else if (b.begins.isEmpty()) {
                    branches.remove(ref, b);
                    return XA_RDONLY;
                }
            }
            if (b.state == State.ROLLBACK_ONLY) {
                rollbackBranch(ref, b);
                throw TransactionRequests.xaException(
                        XAException.XA_RBROLLBACK, "Branch " + b.key + " was marked rollback-only", null);
            }
            return prepareAll(b);
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            XidRef ref = XidRef.of(xid);
            Branch b = branches.get(ref);
            if (b == null) {
                if (onePhase) {
                    throw TransactionRequests.xaException(XAException.XAER_NOTA, "Unknown branch " + xid, null);
                }
                commitUnknown(ref);
                return;
            }
            State state;
            int brokers;
            synchronized (b) {
                if (b.associations > 0) {
                    throw new XAException(XAException.XAER_PROTO);
                }
                state = b.state;
                brokers = b.begins.size();
            }
            if (state == State.ROLLBACK_ONLY) {
                rollbackBranch(ref, b);
                throw TransactionRequests.xaException(
                        XAException.XA_RBROLLBACK, "Branch " + b.key + " was marked rollback-only", null);
            }
            if (onePhase) {
                if (state != State.ENDED) {
                    throw TransactionRequests.xaException(
                            XAException.XAER_PROTO, "One-phase commit of " + b.key + ", which is " + state, null);
                }
                if (brokers == 0) {
                    branches.remove(ref, b);
                    return;
                }
                if (brokers == 1) {
                    commitOnePhase(b);
                    return;
                }
                // several brokers: phase one on all of them first (a failure rolls all back: XA_RB*)
                if (prepareAll(b) == XA_RDONLY) {
                    return;
                }
            } else if (state != State.PREPARED && state != State.COMMITTING) {
                throw TransactionRequests.xaException(
                        XAException.XAER_PROTO, "Two-phase commit of " + b.key + ", which is " + state, null);
            }
            commitPrepared(b);
        }

        private void commitOnePhase(Branch b) throws XAException {
            String url = b.urls().get(0);
            TransactionRequests.Reply reply;
            try {
                reply = send(url, b.key, TransactionType.COMMIT_ONE_PHASE);
            } catch (RemotingException e) {
                throw TransactionRequests.xaException(
                        XAException.XAER_RMFAIL,
                        "One-phase commit of " + b.key + " at " + url + ": " + e.getMessage()
                                + "; its outcome is unknown",
                        e);
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
            if (reply.isSuccess()) {
                branches.remove(b.ref, b);
                return;
            }
            XAException e = TransactionRequests.toXaException(reply);
            if (isRollbackCode(e.errorCode) || e.errorCode == XAException.XAER_NOTA) {
                branches.remove(b.ref, b);
            }
            throw e;
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            XidRef ref = XidRef.of(xid);
            Branch b = branches.get(ref);
            if (b != null && associated == b) {
                synchronized (b) {
                    b.associations--;
                }
                associated = null;
            }
            rollbackBranch(ref, b);
        }

        @Override
        public void forget(Xid xid) throws XAException {
            XidRef ref = XidRef.of(xid);
            TransactionId.Xa key = ref.key(uniqueQualifier);
            Outcome out = complete(allUrls(ref), key, TransactionType.FORGET);
            if (!out.failed.isEmpty()) {
                throw TransactionRequests.xaException(
                        XAException.XAER_RMFAIL,
                        "Forget of " + key + " not done at " + out.failed.keySet() + " (" + out.describeFailures()
                                + ")",
                        out.failed.values().iterator().next());
            }
            branches.remove(ref);
            recoveredAt.remove(ref);
        }

        @Override
        public Xid[] recover(int flag) throws XAException {
            synchronized (this) {
                boolean startScan = (flag & TMSTARTRSCAN) != 0;
                boolean endScan = (flag & TMENDRSCAN) != 0;
                if (!startScan && scanOpen) {
                    scanOpen = !endScan;
                    return new Xid[0]; // everything was returned when the scan started
                }
                if (!startScan && endScan) {
                    return new Xid[0];
                }
                scanOpen = startScan && !endScan;
            }
            String qualifier = uniqueQualifier;
            Set<String> urls = allUrls(null);
            if (urls.isEmpty()) {
                throw TransactionRequests.xaException(
                        XAException.XAER_RMFAIL, "No broker known to recover from: publish a topic first", null);
            }
            Map<XidRef, Xid> found = new LinkedHashMap<>();
            int answered = 0;
            for (String url : urls) {
                TransactionRequests.Reply reply;
                try {
                    reply = requests.request(
                            url,
                            requests.command(TransactionId.Null.INSTANCE, TransactionType.RECOVER, 0, qualifier),
                            requestTimeoutMs.getAsLong());
                } catch (RemotingException e) {
                    LOG.warn("Recover from {} failed: {}", url, e.getMessage());
                    continue;
                } catch (InterruptedException e) {
                    throw interrupted(e);
                }
                if (!reply.isSuccess()) {
                    LOG.warn("Recover from {} failed: {}", url, reply.text());
                    continue;
                }
                answered++;
                for (String line : reply.text().split("\r\n")) {
                    if (line.isBlank()) {
                        continue;
                    }
                    TransactionId id;
                    try {
                        id = TransactionId.parse(line.trim());
                    } catch (IllegalArgumentException e) {
                        LOG.warn("Recover from {}: ignoring '{}' ({})", url, line, e.getMessage());
                        continue;
                    }
                    if (id instanceof TransactionId.Xa x && x.uniqueQualifier().equals(qualifier)) {
                        Xid xid = new SimpleXid(x.formatId(), x.globalTransactionId(), x.branchQualifier());
                        XidRef ref = XidRef.of(xid);
                        found.putIfAbsent(ref, xid);
                        recoveredAt
                                .computeIfAbsent(ref, r -> ConcurrentHashMap.newKeySet())
                                .add(url);
                    }
                }
            }
            if (answered == 0) {
                throw TransactionRequests.xaException(
                        XAException.XAER_RMFAIL, "No broker answered RECOVER (asked " + urls + ")", null);
            }
            return found.values().toArray(new Xid[0]);
        }

        @Override
        public boolean isSameRM(XAResource other) {
            return other instanceof Resource r && r.owner() == XaBranches.this;
        }

        @Override
        public int getTransactionTimeout() {
            return timeoutSeconds;
        }

        @Override
        public boolean setTransactionTimeout(int seconds) throws XAException {
            if (seconds < 0) {
                throw new XAException(XAException.XAER_INVAL);
            }
            timeoutSeconds = seconds;
            return true;
        }

        @Override
        public String toString() {
            return "XAResource[" + uniqueQualifier + ", "
                    + Thread.currentThread().getName() + "]";
        }
    }
}
