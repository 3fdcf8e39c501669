package dev.curvature.optimizers.layout;

import org.nd4j.linalg.learning.config.IUpdater;

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
     * Decoupled weight decay this configuration wants for {@code spec}, expressed as the coefficient of DL4J's
     * {@code WeightDecay(coefficient, applyLR = true)} (which multiplies it by this updater's learning rate).
     * Zero means no decay.
     */
    double weightDecayCoefficient(ParamSpec spec);
}
