package io.vecraft.server;

/**
 * What an API key may do. Roles are ordered: each includes the ones before it.
 * <ul>
 *   <li>{@link #READ}: get, search, count, history, list and describe collections, status page.</li>
 *   <li>{@link #WRITE}: also upsert, delete and transactions.</li>
 *   <li>{@link #ADMIN}: also create and drop collections, read the journal (audit log), checkpoint.</li>
 * </ul>
 */
public enum Role {
    /** Read-only access. */
    READ,
    /** Reads and record writes. */
    WRITE,
    /** Everything, including DDL and the audit log. */
    ADMIN;

    /**
     * @param required the role an operation needs
     * @return whether this role includes it
     */
    public boolean allows(Role required) {
        return compareTo(required) >= 0;
    }
}
