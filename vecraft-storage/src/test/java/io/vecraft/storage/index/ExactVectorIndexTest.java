package io.vecraft.storage.index;

import io.vecraft.storage.vector.VectorScorer;

class ExactVectorIndexTest extends VectorIndexContractTest {
    @Override
    VectorIndex create(VectorScorer scorer) {
        return new ExactVectorIndex(scorer);
    }
}
