package io.vecraft.core;

import io.vecraft.journal.AppendResult;
import io.vecraft.journal.Journal;
import io.vecraft.journal.JournalPartition;
import java.util.List;

/**
 * {@link JournalGateway} over the local journal (embedded mode).
 *
 * <p>Thread-safe.
 */
final class LocalJournalGateway implements JournalGateway {
    private final Journal journal;
    private final List<String> names;
    private final EntrySource[] sources;

    LocalJournalGateway(Journal journal) {
        this.journal = journal;
        this.names = journal.partitions().stream().map(JournalPartition::name).toList();
        this.sources = new EntrySource[names.size()];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = new LocalEntrySource(journal.partition(i));
        }
    }

    Journal journal() {
        return journal;
    }

    @Override
    public List<String> partitionNames() {
        return names;
    }

    @Override
    public Appended append(int partitionId, int type, String requestId, long transactionId, byte[] payload) {
        AppendResult r = journal.partition(partitionId).append(type, requestId, transactionId, payload);
        return new Appended(r.partition(), r.sequence(), r.hlc());
    }

    @Override
    public long now() {
        return journal.clock().now();
    }

    @Override
    public long headSequence(int partitionId) {
        return journal.partition(partitionId).headSequence();
    }

    @Override
    public EntrySource source(int partitionId) {
        return sources[partitionId];
    }

    @Override
    public void close() {
        journal.close();
    }
}
