package io.vecraft.storage.vector;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * Access to {@code java.lang.foreign.MemorySegment} without compiling against it (the module
 * targets Java 17, where the API does not exist). On JDK 22+ {@link #ofBuffer(ByteBuffer)}
 * wraps a mapped chunk in a segment so the SIMD kernel can use
 * {@code FloatVector.fromMemorySegment}; elsewhere it returns null.
 *
 * <p>Stateless and thread-safe.
 */
final class Segments {

    /** {@code MemorySegment.ofBuffer(Buffer)} typed {@code (ByteBuffer)Object}, or null. */
    private static final MethodHandle OF_BUFFER = lookup();

    private Segments() {
    }

    private static MethodHandle lookup() {
        if (Runtime.version().feature() < 22) {
            return null; // preview before 22: not used
        }
        try {
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            MethodHandle mh = MethodHandles.publicLookup().findStatic(segment, "ofBuffer",
                    MethodType.methodType(segment, Buffer.class));
            return mh.asType(MethodType.methodType(Object.class, ByteBuffer.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** @return true if segments are available on this JVM */
    static boolean available() {
        return OF_BUFFER != null;
    }

    /**
     * @param buffer a direct buffer
     * @return a MemorySegment over it, or null when the API is unavailable
     */
    static Object ofBuffer(ByteBuffer buffer) {
        if (OF_BUFFER == null) {
            return null;
        }
        try {
            return (Object) OF_BUFFER.invokeExact(buffer);
        } catch (Throwable t) {
            return null;
        }
    }
}
