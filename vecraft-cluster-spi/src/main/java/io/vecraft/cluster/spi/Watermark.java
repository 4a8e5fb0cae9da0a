package io.vecraft.cluster.spi;

/**
 * See {@link JournalService#watermark}.
 *
 * @param sequence last appended sequence
 * @param hlc      fresh HLC: larger than every entry up to {@code sequence}, smaller than every later one
 */
public record Watermark(long sequence, long hlc) {
}
