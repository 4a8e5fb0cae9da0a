package io.vecraft.storage.internal;

import java.lang.ref.WeakReference;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Epoch-based reclamation for a single-writer structure read without locks. Readers bracket
 * their work with {@link #enter()} / {@link #exit()}; the writer retires something (a freed
 * ordinal, an old file) by taking {@link #retire()} after unlinking it, and may reuse or release
 * it once {@link #quiescent(long)} says every reader that could still hold it has left.
 *
 * <p>Correctness rests on sequentially consistent volatile accesses: a reader stores its
 * entry epoch before it reads the structure, and the writer advances the epoch after it
 * unlinked the thing and before it scans the readers, so a reader the scan missed started
 * after the unlink and cannot reach the thing.
 *
 * <p>Thread-safety: {@link #enter()} and {@link #exit()} from any thread (re-entrant per
 * thread, must be paired on the same thread); {@link #retire()} and {@link #quiescent(long)}
 * from the writer (they are safe from any thread but are meant for one).
 */
public final class ReaderEpochs {

    private final AtomicLong epoch = new AtomicLong(1);
    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Slot> local = ThreadLocal.withInitial(this::register);

    private static final class Slot {
        final WeakReference<Thread> owner = new WeakReference<>(Thread.currentThread());
        volatile long active; // 0 = outside, else the epoch at entry
        int depth;            // only touched by the owner
    }

    private Slot register() {
        Slot s = new Slot();
        slots.add(s);
        return s;
    }

    /** Marks the calling thread as reading. Re-entrant. */
    public void enter() {
        Slot s = local.get();
        if (s.depth++ == 0) {
            s.active = epoch.get();
        }
    }

    /** Marks the calling thread as no longer reading (when the outermost enter is exited). */
    public void exit() {
        Slot s = local.get();
        if (--s.depth == 0) {
            s.active = 0;
        }
    }

    /**
     * Called by the writer after unlinking something readers may still hold.
     *
     * @return the retirement epoch to pass to {@link #quiescent(long)}
     */
    public long retire() {
        return epoch.getAndIncrement();
    }

    /**
     * @param retiredEpoch a value returned by {@link #retire()}
     * @return true if no reader that entered at or before {@code retiredEpoch} is still inside
     */
    public boolean quiescent(long retiredEpoch) {
        for (Slot s : slots) {
            long a = s.active;
            if (a != 0 && a <= retiredEpoch) {
                return false;
            }
            if (a == 0 && s.owner.get() == null) {
                slots.remove(s);
            }
        }
        return true;
    }

    /** @return true if no thread is currently inside */
    public boolean idle() {
        for (Slot s : slots) {
            if (s.active != 0) {
                return false;
            }
        }
        return true;
    }
}
