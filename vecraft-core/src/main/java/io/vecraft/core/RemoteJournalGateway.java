package io.vecraft.core;

import io.vecraft.cluster.spi.AppendAck;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.journal.HybridLogicalClock;
import java.util.List;

/**
 * {@link JournalGateway} over a cluster's {@link JournalService}. The local clock observes the
 * HLC of every acknowledged append, so {@link #now()} is above every write this process saw
 * acknowledged (STRONG reads use it as their snapshot time).
 *
 * <p>Thread-safe.
 */
final class RemoteJournalGateway implements JournalGateway {
    private final JournalService journal;
    private final HybridLogicalClock clock = new HybridLogicalClock();
    private final List<String> names;
    private final RemoteEntrySource[] sources;

    RemoteJournalGateway(JournalService journal) {
        this.journal = journal;
        this.names = journal.partitions();
        this.sources = new RemoteEntrySource[names.size()];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = new RemoteEntrySource(journal, names.get(i), i);
        }
    }

    @Override
    public List<String> partitionNames() {
        return names;
    }

    @Override
    public Appended append(int partitionId, int type, String requestId, long transactionId, byte[] payload) {
        AppendAck ack = journal.append(names.get(partitionId), type, requestId, transactionId, payload);
        clock.observe(ack.hlc());
        return new Appended(ack.partition(), ack.sequence(), ack.hlc());
    }

    @Override
    public long now() {
        return clock.now();
    }

    /** @param hlc an HLC seen from another node (replica safe times), observed by the local clock */
    void observe(long hlc) {
        clock.observe(hlc);
    }

    @Override
    public long headSequence(int partitionId) {
        return journal.watermark(names.get(partitionId)).sequence();
    }

    @Override
    public EntrySource source(int partitionId) {
        return sources[partitionId];
    }

    @Override
    public void close() {
        for (RemoteEntrySource s : sources) {
            s.close();
        }
    }
}
