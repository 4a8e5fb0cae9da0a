package io.vecraft.api;

/** An unknown collection, record, partition or other named thing. */
public class NotFoundException extends VecraftException {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final String name;

    /**
     * @param kind what was looked for, e.g. {@code "collection"}
     * @param name the name that was not found
     */
    public NotFoundException(String kind, String name) {
        super(kind + " '" + name + "' not found");
        this.kind = kind;
        this.name = name;
    }

    /** @return what was looked for, e.g. {@code "collection"} or {@code "record"} */
    public String kind() {
        return kind;
    }

    /** @return the name that was not found */
    public String name() {
        return name;
    }
}
