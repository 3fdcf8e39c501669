package dev.curvature.optimizers.layout;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * An updater configuration that needs to know the shapes and roles of the parameters it updates. DL4J gives
 * updaters only a flat slice of merged parameters, so {@link dev.curvature.optimizers.Layouts#attach} stamps a
 * {@link ParamLayout} into each layer's copy of the configuration.
 */
public interface LayoutAware extends IUpdater {

    /** The stamped layout, or null when the configuration has not been stamped. */
    ParamLayout getLayout();

    /** A copy of this configuration carrying {@code layout}. */
    LayoutAware withLayout(ParamLayout layout);

    /**
     * Decoupled weight decay this configuration wants for {@code spec}, as the DL4J regularization that realises
     * it ({@code WeightDecay(coefficient, applyLR)}; with {@code applyLR} DL4J multiplies the coefficient by this
     * updater's learning rate at each step), or null for none. Only consulted for weight parameters.
     */
    WeightDecay weightDecayFor(ParamSpec spec);
}
