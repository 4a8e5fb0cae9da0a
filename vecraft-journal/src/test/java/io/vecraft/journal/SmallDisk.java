package io.vecraft.journal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real small file system for full-disk tests: a tmpfs mounted on a directory (needs root), and a
 * filler file that takes all its space. Shared with vecraft-core's tests (test-jar).
 */
public final class SmallDisk {
    private SmallDisk() {
    }

    /**
     * Mounts a tmpfs of {@code size} on {@code dir}.
     *
     * @param dir  an existing empty directory
     * @param size a tmpfs size, such as {@code 16m}
     * @return false if this process may not mount (not root), and nothing was mounted
     * @throws InterruptedException if interrupted while {@code mount} runs
     */
    public static boolean mount(Path dir, String size) throws InterruptedException {
        return run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()) == 0;
    }

    /**
     * Unmounts lazily (files still mapped by a closed database are released when collected).
     *
     * @param dir the mount point
     * @throws InterruptedException if interrupted while {@code umount} runs
     */
    public static void unmount(Path dir) throws InterruptedException {
        System.gc(); // unmap the closed files' buffers first
        run("umount", "-l", dir.toString());
    }

    /**
     * Writes {@code filler} until the file system reports it is full.
     *
     * @param filler a new file on the file system to fill
     */
    public static void fill(Path filler) {
        byte[] chunk = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            // the file system is full
        }
    }

    private static int run(String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (IOException e) {
            return -1;
        }
    }
}
