package io.vecraft.api;

/** A create that names something that already exists, e.g. a duplicate collection. */
public class AlreadyExistsException extends VecraftException {
    private static final long serialVersionUID = 1L;

    /**
     * @param kind what was created, e.g. {@code "collection"}
     * @param name the name that is taken
     */
    public AlreadyExistsException(String kind, String name) {
        super(kind + " '" + name + "' already exists");
    }
}
