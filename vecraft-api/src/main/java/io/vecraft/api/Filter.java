package io.vecraft.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A predicate over a record's metadata and document, used by searches.
 *
 * <p>Metadata comparisons: {@link #eq} and {@link #in} match strings, longs and booleans (and
 * doubles by exact value); ranges ({@link #gt}, {@link #gte}, {@link #lt}, {@link #lte}) match
 * numbers (long and double compare by numeric value). A field whose value is a list matches when
 * any element matches. A record without the field never matches a comparison ({@code not(eq(...))}
 * does match it). Document filters test whether the document contains a substring
 * (case-sensitive); a record without a document does not contain anything.
 *
 * <p>Values are immutable and thread-safe. Build them with the static factories:
 * <pre>{@code
 * Filter f = Filter.and(Filter.eq("lang", "en"), Filter.gte("year", 2020), Filter.documentContains("vector"));
 * }</pre>
 */
public sealed interface Filter {

    /** Longest accepted field name, in UTF-8 bytes. */
    int MAX_FIELD_BYTES = 256;
    /** Most values accepted by one {@link #in} filter. */
    int MAX_IN_VALUES = 10_000;
    /** Most nodes in one filter tree. */
    int MAX_NODES = 1_000;

    /**
     * @param field metadata key
     * @param value a String, Long (or Integer, Short, Byte), Double (or Float) or Boolean
     * @return a filter matching records whose {@code field} equals {@code value}
     */
    static Filter eq(String field, Object value) {
        return new Eq(field, value);
    }

    /**
     * @param field  metadata key
     * @param values accepted values (same types as {@link #eq}), at least one
     * @return a filter matching records whose {@code field} equals any of {@code values}
     */
    static Filter in(String field, List<?> values) {
        return new In(field, values == null ? null : new ArrayList<Object>(values));
    }

    /**
     * @param field  metadata key
     * @param values accepted values
     * @return see {@link #in(String, List)}
     */
    static Filter in(String field, Object... values) {
        return new In(field, java.util.Arrays.asList(values));
    }

    /**
     * @param field metadata key
     * @param value a number
     * @return records whose numeric {@code field} is greater than {@code value}
     */
    static Filter gt(String field, Number value) {
        return new Range(field, value, false, null, false);
    }

    /**
     * @param field metadata key
     * @param value a number
     * @return records whose numeric {@code field} is greater than or equal to {@code value}
     */
    static Filter gte(String field, Number value) {
        return new Range(field, value, true, null, false);
    }

    /**
     * @param field metadata key
     * @param value a number
     * @return records whose numeric {@code field} is less than {@code value}
     */
    static Filter lt(String field, Number value) {
        return new Range(field, null, false, value, false);
    }

    /**
     * @param field metadata key
     * @param value a number
     * @return records whose numeric {@code field} is less than or equal to {@code value}
     */
    static Filter lte(String field, Number value) {
        return new Range(field, null, false, value, true);
    }

    /**
     * @param field metadata key
     * @param lower inclusive lower bound
     * @param upper exclusive upper bound
     * @return records whose numeric {@code field} lies in {@code [lower, upper)}
     */
    static Filter between(String field, Number lower, Number upper) {
        return new Range(field, lower, true, upper, false);
    }

    /**
     * @param filters at least one filter
     * @return records matching every filter
     */
    static Filter and(Filter... filters) {
        return new And(List.of(filters));
    }

    /**
     * @param filters at least one filter
     * @return records matching at least one filter
     */
    static Filter or(Filter... filters) {
        return new Or(List.of(filters));
    }

    /**
     * @param filter the filter to negate
     * @return records not matching {@code filter}
     */
    static Filter not(Filter filter) {
        return new Not(filter);
    }

    /**
     * @param text non-empty substring
     * @return records whose document contains {@code text}
     */
    static Filter documentContains(String text) {
        return new DocumentContains(text);
    }

    /**
     * @param text non-empty substring
     * @return records without a document or whose document does not contain {@code text}
     */
    static Filter documentNotContains(String text) {
        return new Not(new DocumentContains(text));
    }

    /** @return the number of nodes in this filter tree */
    int size();

    /**
     * Equality on a metadata field.
     *
     * @param field metadata key
     * @param value normalised value: String, Long, Double or Boolean
     */
    record Eq(String field, Object value) implements Filter {
        /** Validates and normalises. */
        public Eq {
            checkField(field);
            value = normaliseScalar(field, value);
        }

        @Override
        public int size() {
            return 1;
        }
    }

    /**
     * Membership on a metadata field.
     *
     * @param field  metadata key
     * @param values normalised values, unmodifiable
     */
    record In(String field, List<Object> values) implements Filter {
        /** Validates and normalises. */
        public In {
            checkField(field);
            Objects.requireNonNull(values, "values");
            if (values.isEmpty() || values.size() > MAX_IN_VALUES) {
                throw new InvalidArgumentException("filter.in(" + field + ").values",
                        "must hold 1 to " + MAX_IN_VALUES + " values, held " + values.size());
            }
            List<Object> copy = new ArrayList<>(values.size());
            for (Object v : values) {
                copy.add(normaliseScalar(field, v));
            }
            values = Collections.unmodifiableList(copy);
        }

        @Override
        public int size() {
            return 1;
        }
    }

    /**
     * Numeric range on a metadata field; a missing bound is open.
     *
     * @param field          metadata key
     * @param lower          lower bound (Long or Double) or null for none
     * @param lowerInclusive whether the lower bound is included
     * @param upper          upper bound (Long or Double) or null for none
     * @param upperInclusive whether the upper bound is included
     */
    record Range(String field, Number lower, boolean lowerInclusive, Number upper, boolean upperInclusive)
            implements Filter {
        /** Validates and normalises. */
        public Range {
            checkField(field);
            if (lower == null && upper == null) {
                throw new InvalidArgumentException("filter.range(" + field + ")", "needs a lower or an upper bound");
            }
            lower = lower == null ? null : normaliseNumber(field, lower);
            upper = upper == null ? null : normaliseNumber(field, upper);
        }

        @Override
        public int size() {
            return 1;
        }
    }

    /**
     * Conjunction.
     *
     * @param filters the operands, unmodifiable
     */
    record And(List<Filter> filters) implements Filter {
        /** Validates. */
        public And {
            filters = checkOperands("and", filters);
        }

        @Override
        public int size() {
            return 1 + filters.stream().mapToInt(Filter::size).sum();
        }
    }

    /**
     * Disjunction.
     *
     * @param filters the operands, unmodifiable
     */
    record Or(List<Filter> filters) implements Filter {
        /** Validates. */
        public Or {
            filters = checkOperands("or", filters);
        }

        @Override
        public int size() {
            return 1 + filters.stream().mapToInt(Filter::size).sum();
        }
    }

    /**
     * Negation.
     *
     * @param filter the operand
     */
    record Not(Filter filter) implements Filter {
        /** Validates. */
        public Not {
            if (filter == null) {
                throw new InvalidArgumentException("filter.not", "operand must not be null");
            }
            if (filter.size() + 1 > MAX_NODES) {
                throw new InvalidArgumentException("filter", "must have at most " + MAX_NODES + " nodes");
            }
        }

        @Override
        public int size() {
            return 1 + filter.size();
        }
    }

    /**
     * Document substring test.
     *
     * @param text the substring, non-empty
     */
    record DocumentContains(String text) implements Filter {
        /** Validates. */
        public DocumentContains {
            if (text == null || text.isEmpty()) {
                throw new InvalidArgumentException("filter.documentContains", "text must be non-empty");
            }
        }

        @Override
        public int size() {
            return 1;
        }
    }

    private static void checkField(String field) {
        if (field == null || field.isEmpty()) {
            throw new InvalidArgumentException("filter.field", "must be a non-empty metadata key");
        }
        if (field.length() > MAX_FIELD_BYTES
                || field.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_FIELD_BYTES) {
            throw new InvalidArgumentException("filter.field", "must be at most " + MAX_FIELD_BYTES + " UTF-8 bytes");
        }
    }

    private static Object normaliseScalar(String field, Object value) {
        if (value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number n) {
            return normaliseNumber(field, n);
        }
        throw new InvalidArgumentException("filter(" + field + ").value",
                "must be a String, Long, Double or Boolean, was " + (value == null ? "null" : value.getClass().getName()));
    }

    private static Number normaliseNumber(String field, Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return n.longValue();
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d)) {
                throw new InvalidArgumentException("filter(" + field + ").value", "must not be NaN");
            }
            return d;
        }
        throw new InvalidArgumentException("filter(" + field + ").value",
                "must be a Long or Double, was " + (n == null ? "null" : n.getClass().getName()));
    }

    private static List<Filter> checkOperands(String op, List<Filter> filters) {
        if (filters == null || filters.isEmpty()) {
            throw new InvalidArgumentException("filter." + op, "needs at least one operand");
        }
        int nodes = 1;
        for (Filter f : filters) {
            if (f == null) {
                throw new InvalidArgumentException("filter." + op, "operands must not be null");
            }
            nodes += f.size();
        }
        if (nodes > MAX_NODES) {
            throw new InvalidArgumentException("filter", "must have at most " + MAX_NODES + " nodes, had " + nodes);
        }
        return List.copyOf(filters);
    }
}
