package io.vecraft.api;

/** A create that names something that already exists, e.g. a duplicate collection. */
public class AlreadyExistsException extends VecraftException {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final String name;

    /**
     * @param kind what was created, e.g. {@code "collection"}
     * @param name the name that is taken
     */
    public AlreadyExistsException(String kind, String name) {
        super(kind + " '" + name + "' already exists");
        this.kind = kind;
        this.name = name;
    }

    /** @return what was created, e.g. {@code "collection"} */
    public String kind() {
        return kind;
    }

    /** @return the name that is taken */
    public String name() {
        return name;
    }
}
