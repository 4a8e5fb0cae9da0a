package io.vecraft.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One record: an id, a float32 vector, metadata and an optional document. An upsert replaces the
 * whole record.
 *
 * <p>Construction validates everything that does not depend on a collection (the dimension is
 * checked on write): the id is non-empty and at most {@link #MAX_ID_BYTES} UTF-8 bytes, the vector
 * is non-empty with finite values, metadata keys are non-empty strings and values are String,
 * Long, Double, Boolean or a list of those (Integer/Short/Byte become Long, Float becomes Double).
 * Vector arrays are copied in and out, so a record is immutable and thread-safe.
 *
 * <pre>{@code
 * Record r = Record.of("doc-1", new float[] {0.1f, 0.2f})
 *         .withMetadata(Map.of("lang", "en", "year", 2024))
 *         .withDocument("Vectors all the way down");
 * }</pre>
 */
public final class Record {

    /** Longest id, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 512;
    /** Largest vector dimension. */
    public static final int MAX_DIMENSION = 16_384;
    /** Most metadata entries per record. */
    public static final int MAX_METADATA_ENTRIES = 256;
    /** Longest metadata key, in UTF-8 bytes. */
    public static final int MAX_METADATA_KEY_BYTES = 256;
    /** Longest metadata string value, in UTF-8 bytes. */
    public static final int MAX_METADATA_STRING_BYTES = 64 * 1024;
    /** Most elements in one metadata list value. */
    public static final int MAX_METADATA_LIST_SIZE = 1_024;
    /** Longest document, in UTF-8 bytes. */
    public static final int MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

    private final String id;
    private final float[] vector;
    private final Map<String, Object> metadata;
    private final String document;

    private Record(String id, float[] vector, Map<String, Object> metadata, String document) {
        this.id = id;
        this.vector = vector;
        this.metadata = metadata;
        this.document = document;
    }

    /**
     * @param id     record id, non-empty, at most {@link #MAX_ID_BYTES} UTF-8 bytes
     * @param vector the vector, copied; non-empty, finite values
     * @return a record without metadata or document
     * @throws InvalidArgumentException on bad input
     */
    public static Record of(String id, float[] vector) {
        return new Record(checkId(id), checkVector(vector), Map.of(), null);
    }

    /**
     * @param id       record id
     * @param vector   the vector, copied
     * @param metadata metadata map, copied and normalised
     * @param document document text or null for none
     * @return the record
     * @throws InvalidArgumentException on bad input
     */
    public static Record of(String id, float[] vector, Map<String, ?> metadata, String document) {
        return new Record(checkId(id), checkVector(vector), checkMetadata(metadata), checkDocument(document));
    }

    /**
     * @param metadata metadata map (copied and normalised)
     * @return a copy of this record with the given metadata
     * @throws InvalidArgumentException on bad keys or values
     */
    public Record withMetadata(Map<String, ?> metadata) {
        return new Record(id, vector, checkMetadata(metadata), document);
    }

    /**
     * @param document document text, at most {@link #MAX_DOCUMENT_BYTES} UTF-8 bytes
     * @return a copy of this record with the given document
     */
    public Record withDocument(String document) {
        if (document == null) {
            throw new InvalidArgumentException("record.document", "must not be null (omit it for none)");
        }
        return new Record(id, vector, metadata, checkDocument(document));
    }

    /** @return the id */
    public String id() {
        return id;
    }

    /** @return a copy of the vector */
    public float[] vector() {
        return vector.clone();
    }

    /** @return the vector's dimension */
    public int dimension() {
        return vector.length;
    }

    /**
     * Copies the vector into {@code dst} without allocating.
     *
     * @param dst destination of at least {@link #dimension()} floats
     */
    public void copyVectorTo(float[] dst) {
        System.arraycopy(vector, 0, dst, 0, vector.length);
    }

    /** @return the metadata, unmodifiable, in insertion order; values are String, Long, Double, Boolean or lists */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** @return the document, if any */
    public Optional<String> document() {
        return Optional.ofNullable(document);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && id.equals(r.id) && Arrays.equals(vector, r.vector)
                && metadata.equals(r.metadata) && Objects.equals(document, r.document);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, Arrays.hashCode(vector), metadata, document);
    }

    @Override
    public String toString() {
        return "Record{id=" + id + ", dimension=" + vector.length + ", metadata=" + metadata
                + (document == null ? "" : ", document=" + abbreviate(document)) + "}";
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /**
     * Validates a record id.
     *
     * @param id the id
     * @return the id
     * @throws InvalidArgumentException if null, empty or longer than {@link #MAX_ID_BYTES} UTF-8 bytes
     */
    public static String checkId(String id) {
        if (id == null || id.isEmpty()) {
            throw new InvalidArgumentException("record.id", "must be a non-empty string");
        }
        if (id.length() > MAX_ID_BYTES || utf8Length("record.id", id) > MAX_ID_BYTES) {
            throw new InvalidArgumentException("record.id",
                    "must be at most " + MAX_ID_BYTES + " UTF-8 bytes, was " + utf8Length("record.id", id));
        }
        return id;
    }

    private static float[] checkVector(float[] vector) {
        if (vector == null) {
            throw new InvalidArgumentException("record.vector", "must not be null");
        }
        if (vector.length == 0 || vector.length > MAX_DIMENSION) {
            throw new InvalidArgumentException("record.vector",
                    "dimension must be 1 to " + MAX_DIMENSION + ", was " + vector.length);
        }
        float[] copy = vector.clone();
        for (int i = 0; i < copy.length; i++) {
            if (!Float.isFinite(copy[i])) {
                throw new InvalidArgumentException("record.vector[" + i + "]", "must be finite, was " + copy[i]);
            }
        }
        return copy;
    }

    private static String checkDocument(String document) {
        if (document != null && (document.length() > MAX_DOCUMENT_BYTES
                || utf8Length("record.document", document) > MAX_DOCUMENT_BYTES)) {
            throw new InvalidArgumentException("record.document",
                    "must be at most " + MAX_DOCUMENT_BYTES + " UTF-8 bytes, was " + utf8Length("record.document", document));
        }
        return document;
    }

    /**
     * Validates and normalises a metadata map: Integer/Short/Byte become Long, Float becomes
     * Double, lists are copied.
     *
     * @param metadata the map, may be null for none
     * @return an unmodifiable normalised copy preserving iteration order
     * @throws InvalidArgumentException naming the offending key
     */
    public static Map<String, Object> checkMetadata(Map<String, ?> metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return Map.of();
        }
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            throw new InvalidArgumentException("record.metadata",
                    "must have at most " + MAX_METADATA_ENTRIES + " entries, had " + metadata.size());
        }
        Map<String, Object> out = new LinkedHashMap<>(metadata.size() * 2);
        for (Map.Entry<String, ?> e : metadata.entrySet()) {
            String key = e.getKey();
            if (key == null || key.isEmpty()) {
                throw new InvalidArgumentException("record.metadata", "keys must be non-empty strings");
            }
            if (utf8Length("record.metadata key", key) > MAX_METADATA_KEY_BYTES) {
                throw new InvalidArgumentException("record.metadata." + key.substring(0, Math.min(32, key.length())),
                        "key must be at most " + MAX_METADATA_KEY_BYTES + " UTF-8 bytes");
            }
            Object v = e.getValue();
            if (v instanceof List<?> list) {
                if (list.size() > MAX_METADATA_LIST_SIZE) {
                    throw new InvalidArgumentException("record.metadata." + key,
                            "list must have at most " + MAX_METADATA_LIST_SIZE + " elements, had " + list.size());
                }
                List<Object> copy = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    copy.add(normaliseScalar("record.metadata." + key + "[" + i + "]", list.get(i)));
                }
                out.put(key, Collections.unmodifiableList(copy));
            } else {
                out.put(key, normaliseScalar("record.metadata." + key, v));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static Object normaliseScalar(String field, Object v) {
        if (v instanceof String s) {
            if (s.length() > MAX_METADATA_STRING_BYTES || utf8Length(field, s) > MAX_METADATA_STRING_BYTES) {
                throw new InvalidArgumentException(field,
                        "string must be at most " + MAX_METADATA_STRING_BYTES + " UTF-8 bytes");
            }
            return s;
        }
        if (v instanceof Boolean || v instanceof Long || v instanceof Double) {
            if (v instanceof Double d && !Double.isFinite(d)) {
                throw new InvalidArgumentException(field, "must be finite, was " + d);
            }
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            if (!Float.isFinite(f)) {
                throw new InvalidArgumentException(field, "must be finite, was " + f);
            }
            return f.doubleValue();
        }
        throw new InvalidArgumentException(field, "must be a String, Long, Double, Boolean or a list of these, was "
                + (v == null ? "null" : v.getClass().getName()));
    }

    /**
     * @param s a string
     * @return its length in UTF-8 bytes, without encoding it
     */
    /**
     * @param field the field named if {@code s} is not well-formed
     * @param s     a string
     * @return its length in UTF-8 bytes
     * @throws InvalidArgumentException if it holds an unpaired surrogate: UTF-8 cannot encode one, and
     *     storing it would silently turn it into '?' (a different id, key or value than the one given)
     */
    static int utf8Length(String field, String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidArgumentException(field, String.format("must be well-formed UTF-16: unpaired "
                        + "surrogate U+%04X at index %d", (int) c, i));
            } else {
                n += 3;
            }
        }
        return n;
    }
}
