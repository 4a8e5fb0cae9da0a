package io.vecraft.storage.vector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the distance kernel once per JVM: a SIMD kernel when the
 * {@code jdk.incubator.vector} module is in the boot layer (start the JVM with
 * {@code --add-modules jdk.incubator.vector}) and works on this runtime, the
 * {@link ScalarKernel} otherwise. The SIMD classes are loaded reflectively, so nothing touches
 * the incubator module when it is absent. The system property {@code vecraft.kernel}
 * ({@code scalar}, {@code simd-buffer}, {@code simd-segment}) forces a choice, for benchmarks
 * and tests.
 *
 * <p>Thread-safe (the choice is made in a static initialiser).
 */
public final class VectorKernels {

    private static final Logger LOG = LoggerFactory.getLogger(VectorKernels.class);

    /** Class names of SIMD kernels in order of preference. */
    private static final String[] SIMD = {
        "io.vecraft.storage.vector.SimdBufferKernel",   // JDK 17-18: fromByteBuffer
        "io.vecraft.storage.vector.SimdSegmentKernel",  // JDK 22+: fromMemorySegment
    };

    private static final List<VectorKernel> AVAILABLE = probe();
    private static final VectorKernel PREFERRED = choose();

    private VectorKernels() {
    }

    /** @return the kernel every index uses by default */
    public static VectorKernel preferred() {
        return PREFERRED;
    }

    /** @return every kernel that works on this JVM, scalar first */
    public static List<VectorKernel> available() {
        return AVAILABLE;
    }

    /** @return true if the Vector API module is in the boot layer */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    private static List<VectorKernel> probe() {
        List<VectorKernel> out = new ArrayList<>();
        out.add(ScalarKernel.INSTANCE);
        if (vectorModulePresent()) {
            for (String name : SIMD) {
                try {
                    out.add((VectorKernel) Class.forName(name).getDeclaredConstructor().newInstance());
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    LOG.debug("distance kernel {} unavailable on this JVM: {}", name, e.toString());
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static VectorKernel choose() {
        String forced = System.getProperty("vecraft.kernel", "").trim().toLowerCase(Locale.ROOT);
        VectorKernel chosen = AVAILABLE.get(AVAILABLE.size() - 1);
        if (AVAILABLE.size() > 2) {
            chosen = AVAILABLE.get(1); // buffer kernel first: it exists only where it is the fast path
        }
        if (!forced.isEmpty()) {
            VectorKernel match = null;
            for (VectorKernel k : AVAILABLE) {
                if (k.name().startsWith(forced)) {
                    match = k;
                }
            }
            if (match == null) {
                LOG.warn("vecraft.kernel={} is not available on this JVM; using {}", forced, chosen.name());
            } else {
                chosen = match;
            }
        }
        if (chosen == ScalarKernel.INSTANCE && !vectorModulePresent()) {
            LOG.info("distance kernel: scalar (start the JVM with --add-modules jdk.incubator.vector for SIMD)");
        } else {
            LOG.info("distance kernel: {}", chosen.name());
        }
        return chosen;
    }
}
