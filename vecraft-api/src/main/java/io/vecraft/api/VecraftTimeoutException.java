package io.vecraft.api;

/** A bounded wait ran out (consistency wait, acknowledgement wait, lock). Never hangs forever. */
public class VecraftTimeoutException extends VecraftException {
    private static final long serialVersionUID = 1L;

    /** @param message what was awaited, for how long, and how far it got */
    public VecraftTimeoutException(String message) {
        super(message);
    }
}
