package io.vecraft.journal;

/**
 * See {@link JournalPartition#watermark()}.
 *
 * @param sequence every entry up to this sequence has HLC {@code <= hlc}
 * @param hlc      every later entry has a larger HLC
 */
public record Watermark(long sequence, long hlc) {
}
