package io.vecraft.storage.internal;

import org.roaringbitmap.RoaringBitmap;

import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Metadata inverted index: per field, per value, the {@link Posting} of ordinals whose version
 * holds that value (every element of a list value is indexed). Strings and booleans are found
 * by equality; numbers (long and double, compared by exact numeric value, so {@code 3} and
 * {@code 3.0} are one key) sit in a sorted map for ranges. Every version is indexed, superseded
 * ones included, so as-of searches can filter too; visibility is checked separately.
 *
 * <p>Thread-safety: one writer ({@link #add}, {@link #removeAll}); readers use lock-free
 * concurrent maps and posting snapshots.
 */
public final class InvertedIndex {

    /** Exact numeric order over Long and Double values (no NaN). */
    public static final Comparator<Number> NUMERIC = InvertedIndex::compareNumbers;

    private final ConcurrentHashMap<String, FieldIndex> fields = new ConcurrentHashMap<>();

    /** The postings of one field. */
    static final class FieldIndex {
        final ConcurrentHashMap<String, Posting> strings = new ConcurrentHashMap<>();
        final ConcurrentSkipListMap<Number, Posting> numbers = new ConcurrentSkipListMap<>(NUMERIC);
        final Posting trues = new Posting();
        final Posting falses = new Posting();

        Posting posting(Object value, boolean create) {
            if (value instanceof String s) {
                return create ? strings.computeIfAbsent(s, k -> new Posting()) : strings.get(s);
            }
            if (value instanceof Boolean b) {
                return b ? trues : falses;
            }
            if (value instanceof Number n) {
                return create ? numbers.computeIfAbsent(n, k -> new Posting()) : numbers.get(n);
            }
            return null;
        }
    }

    /**
     * Compares two numbers (Long or Double, finite) by exact value.
     *
     * @param a a number
     * @param b a number
     * @return negative, zero or positive
     */
    public static int compareNumbers(Number a, Number b) {
        boolean al = !(a instanceof Double || a instanceof Float);
        boolean bl = !(b instanceof Double || b instanceof Float);
        if (al && bl) {
            return Long.compare(a.longValue(), b.longValue());
        }
        if (!al && !bl) {
            double x = a.doubleValue();
            double y = b.doubleValue();
            return x < y ? -1 : (x > y ? 1 : 0);
        }
        if (al) {
            return compareLongDouble(a.longValue(), b.doubleValue());
        }
        return -compareLongDouble(b.longValue(), a.doubleValue());
    }

    private static int compareLongDouble(long l, double d) {
        if (d >= 0x1p63) {
            return -1;
        }
        if (d < -0x1p63) {
            return 1;
        }
        long dl = (long) d; // exact truncation in range
        if (l != dl) {
            return Long.compare(l, dl);
        }
        double frac = d - dl; // exact: non-integral doubles are below 2^52 in magnitude
        return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
    }

    /**
     * Indexes a version's metadata. Writer.
     *
     * @param ordinal  the version
     * @param metadata its metadata
     */
    public void add(int ordinal, Map<String, Object> metadata) {
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            FieldIndex f = fields.computeIfAbsent(e.getKey(), k -> new FieldIndex());
            Object v = e.getValue();
            if (v instanceof List<?> list) {
                Set<Posting> seen = list.size() > 1 ? java.util.Collections.newSetFromMap(new IdentityHashMap<>()) : null;
                for (Object x : list) {
                    Posting p = f.posting(x, true);
                    if (p != null && (seen == null || seen.add(p))) {
                        p.add(ordinal);
                    }
                }
            } else {
                Posting p = f.posting(v, true);
                if (p != null) {
                    p.add(ordinal);
                }
            }
        }
    }

    /**
     * Removes ordinals from every posting that their metadata put them in. Writer.
     *
     * @param ordinals  the ordinals
     * @param metadatas the metadata of each (to find their postings)
     */
    public void removeAll(RoaringBitmap ordinals, Collection<Map<String, Object>> metadatas) {
        Set<Posting> touched = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map<String, Object> md : metadatas) {
            for (Map.Entry<String, Object> e : md.entrySet()) {
                FieldIndex f = fields.get(e.getKey());
                if (f == null) {
                    continue;
                }
                Object v = e.getValue();
                if (v instanceof List<?> list) {
                    for (Object x : list) {
                        Posting p = f.posting(x, false);
                        if (p != null) {
                            touched.add(p);
                        }
                    }
                } else {
                    Posting p = f.posting(v, false);
                    if (p != null) {
                        touched.add(p);
                    }
                }
            }
        }
        for (Posting p : touched) {
            p.removeAll(ordinals);
        }
    }

    /**
     * Adds to {@code into} the ordinals whose {@code field} equals {@code value}.
     *
     * @param field field name
     * @param value String, Long, Double or Boolean
     * @param into  the bitmap to fill
     */
    public void eq(String field, Object value, RoaringBitmap into) {
        FieldIndex f = fields.get(field);
        if (f != null) {
            Posting p = f.posting(value, false);
            if (p != null) {
                p.addTo(into);
            }
        }
    }

    /**
     * Adds to {@code into} the ordinals whose numeric {@code field} lies in the range.
     *
     * @param field          field name
     * @param lower          lower bound or null
     * @param lowerInclusive whether the lower bound is included
     * @param upper          upper bound or null
     * @param upperInclusive whether the upper bound is included
     * @param into           the bitmap to fill
     */
    public void range(String field, Number lower, boolean lowerInclusive, Number upper, boolean upperInclusive,
                      RoaringBitmap into) {
        FieldIndex f = fields.get(field);
        if (f == null) {
            return;
        }
        NavigableMap<Number, Posting> m = f.numbers;
        if (lower != null && upper != null) {
            if (compareNumbers(lower, upper) > 0) {
                return;
            }
            m = m.subMap(lower, lowerInclusive, upper, upperInclusive);
        } else if (lower != null) {
            m = m.tailMap(lower, lowerInclusive);
        } else {
            m = m.headMap(upper, upperInclusive);
        }
        for (Posting p : m.values()) {
            p.addTo(into);
        }
    }

    /** @return number of indexed fields */
    public int fieldCount() {
        return fields.size();
    }

    /** @return approximate heap bytes */
    public long heapBytesEstimate() {
        long bytes = 0;
        for (FieldIndex f : fields.values()) {
            bytes += 200;
            for (Map.Entry<String, Posting> e : f.strings.entrySet()) {
                bytes += 64 + 2L * e.getKey().length() + e.getValue().heapBytes();
            }
            for (Posting p : f.numbers.values()) {
                bytes += 80 + p.heapBytes();
            }
            bytes += f.trues.heapBytes() + f.falses.heapBytes();
        }
        return bytes;
    }
}
