package io.vecraft.storage.vector;

import io.vecraft.api.InvalidArgumentException;

/** Validation and normalisation of vectors. Stateless and thread-safe. */
public final class Vectors {
    private Vectors() {
    }

    /**
     * @param field     name of the argument for messages
     * @param vector    the vector
     * @param dimension expected dimension
     * @throws InvalidArgumentException if null, of another dimension, or holding NaN/Inf
     */
    public static void check(String field, float[] vector, int dimension) {
        if (vector == null) {
            throw new InvalidArgumentException(field, "must not be null");
        }
        if (vector.length != dimension) {
            throw new InvalidArgumentException(field, "dimension must be " + dimension + ", was " + vector.length);
        }
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                throw new InvalidArgumentException(field + "[" + i + "]", "must be finite, was " + vector[i]);
            }
        }
    }

    /**
     * @param field  name of the argument for messages
     * @param vector a finite vector
     * @return a unit-length copy
     * @throws InvalidArgumentException if the vector has zero (or non-representable) length
     */
    public static float[] normalised(String field, float[] vector) {
        double sum = 0;
        for (float f : vector) {
            sum += (double) f * f;
        }
        double norm = Math.sqrt(sum);
        if (!(norm > 0) || !Double.isFinite(norm)) {
            throw new InvalidArgumentException(field, "must have a non-zero finite length for the COSINE metric, length was " + norm);
        }
        float[] out = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            out[i] = (float) (vector[i] / norm);
        }
        return out;
    }
}
