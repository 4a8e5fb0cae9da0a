package io.vecraft.cluster.spi.wal;

/** Journal entry type codes written by the core (the journal reserves 0 for ticks). */
public final class WalTypes {
    /** Record operations for one shard of one collection (a data partition entry). */
    public static final int WRITE = 1;
    /** Record operations spanning shards or collections (a transaction partition entry). */
    public static final int TRANSACTION = 2;
    /** A collection was created (system partition). */
    public static final int CREATE_COLLECTION = 3;
    /** A collection was dropped (system partition). */
    public static final int DROP_COLLECTION = 4;

    private WalTypes() {
    }

    /**
     * @param type an entry type code
     * @return a readable name
     */
    public static String name(int type) {
        return switch (type) {
            case 0 -> "TICK";
            case WRITE -> "WRITE";
            case TRANSACTION -> "TRANSACTION";
            case CREATE_COLLECTION -> "CREATE_COLLECTION";
            case DROP_COLLECTION -> "DROP_COLLECTION";
            default -> "UNKNOWN(" + type + ")";
        };
    }
}
