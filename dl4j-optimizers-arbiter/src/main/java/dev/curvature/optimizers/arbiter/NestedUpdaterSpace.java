package dev.curvature.optimizers.arbiter;

import org.deeplearning4j.arbiter.conf.updater.BaseUpdaterSpace;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;

import java.util.List;

/**
 * The updater spaces of this package: their search dimensions are the leaves of {@link #getNestedSpaces()}, in
 * that order (Arbiter's reflective default does not see them). One place for leaf collection and indexing.
 */
abstract class NestedUpdaterSpace extends BaseUpdaterSpace {

    @Override
    public List<ParameterSpace> collectLeaves() {
        return Spaces.leaves(getNestedSpaces());
    }

    @Override
    public int numParameters() {
        return Spaces.numParameters(collectLeaves());
    }

    @Override
    public void setIndices(int... indices) {
        Spaces.setIndices(collectLeaves(), indices);
    }
}
