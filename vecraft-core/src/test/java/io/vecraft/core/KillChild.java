package io.vecraft.core;

import io.vecraft.api.AckLevel;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.Vecraft;
import io.vecraft.api.WriteOptions;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Child process of {@link KillTest}: opens the database through the public API, runs the
 * {@link KillWorkload} from several threads until it is killed, and prints every acknowledged receipt (see
 * {@link KillWorkload} for the protocol).
 *
 * <p>Arguments: data directory, durability (SYNC, BATCH, ASYNC), threads, seed, round number.
 */
public final class KillChild {
    private KillChild() {
    }

    /**
     * @param args directory, durability, threads, seed, round
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        int round = Integer.parseInt(args[4]);
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false);
        Vecraft db = config(dir, args[1]).open();
        for (CollectionSpec spec : KillWorkload.specs()) {
            if (db.findCollection(spec.name()).isEmpty()) {
                db.createCollection(spec);
            }
        }
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread th = new Thread(() -> run(db, line -> {
                synchronized (out) {
                    out.println(line);
                    out.flush();
                }
            }, thread, round, new SplittableRandom(seed * 31 + thread), () -> true), "kill-writer-" + t);
            th.start();
        }
        Thread.currentThread().join();
    }

    /** The configuration the child and the checking parent both use. */
    static io.vecraft.api.VecraftConfig.Builder config(Path dir, String mode) {
        Durability durability = switch (mode) {
            case "SYNC" -> Durability.SYNC;
            case "BATCH" -> Durability.batch(Duration.ofMillis(20));
            case "ASYNC" -> Durability.ASYNC;
            default -> throw new IllegalArgumentException(mode);
        };
        // Small entries keep Chronicle's sparse cycle files small (80 MiB instead of 640 MiB): the open after a
        // crash scans the whole last cycle file of each partition. Frequent checkpoints make kills land in them.
        return Vecraft.builder(dir).withDurability(durability).withMaxEntryBytes(1 << 20)
                .withCheckpointInterval(Duration.ofMillis(250)).withDataPartitions(2);
    }

    /**
     * Runs one writer thread's share of the workload.
     *
     * @param db      the database
     * @param out     receives the protocol lines (BEGIN before, ACK after each operation); thread-safe
     * @param thread  thread number (owns ids {@code t<thread>-*})
     * @param round   round number (part of every tag)
     * @param rnd     the thread's generator
     * @param running checked before each operation; the loop ends when it turns false
     */
    static void run(Vecraft db, java.util.function.Consumer<String> out, int thread, int round, SplittableRandom rnd,
                    java.util.function.BooleanSupplier running) {
        for (long n = 0; running.getAsBoolean(); n++) {
            String tag = round + "." + thread + "." + n;
            Map.Entry<KillWorkload.Kind, List<KillWorkload.Op>> next = KillWorkload.next(rnd, thread);
            List<KillWorkload.Op> ops = next.getValue();
            StringBuilder line = new StringBuilder("BEGIN ").append(thread).append(' ').append(tag);
            for (KillWorkload.Op op : ops) {
                line.append(' ').append(op.encode());
            }
            out.accept(line.toString());
            WriteOptions options = rnd.nextInt(5) == 0 ? WriteOptions.defaults().withAckLevel(AckLevel.DURABLE)
                    : WriteOptions.defaults();
            Receipt r = switch (next.getKey()) {
                case UPSERT -> db.collection(ops.get(0).collection())
                        .upsert(KillWorkload.record(tag, 0, ops.get(0).id()), options);
                case DELETE -> db.collection(ops.get(0).collection()).delete(List.of(ops.get(0).id()), options);
                case BATCH -> {
                    List<Record> records = new ArrayList<>();
                    for (int i = 0; i < ops.size(); i++) {
                        records.add(KillWorkload.record(tag, i, ops.get(i).id()));
                    }
                    yield db.collection(ops.get(0).collection()).upsert(records, options);
                }
                case TRANSACTION -> db.transaction(tx -> {
                    for (int i = 0; i < ops.size(); i++) {
                        KillWorkload.Op op = ops.get(i);
                        if (op.upsert()) {
                            tx.upsert(op.collection(), KillWorkload.record(tag, i, op.id()));
                        } else {
                            tx.delete(op.collection(), op.id());
                        }
                    }
                }, options);
            };
            out.accept("ACK " + thread + " " + tag + " " + r.partition() + " " + r.sequence() + " " + r.hlc());
        }
    }
}
