package dev.curvature.examples.spark;

import dev.curvature.optimizers.AdamMini;
import dev.curvature.optimizers.Muon;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.List;
import java.util.Locale;

/** The optimizers the Spark examples offer, by command-line name, with the learning rates of the examples. */
public enum Optimizers {
    ADAM("adam", "Adam (DL4J)"),
    ADAMMINI("adammini", "AdamMini"),
    MUON("muon", "Muon");

    private final String option;
    private final String label;

    Optimizers(String option, String label) {
        this.option = option;
        this.label = label;
    }

    /** The command-line name. */
    public String option() {
        return option;
    }

    /** The name in tables. */
    public String label() {
        return label;
    }

    /**
     * A fresh configuration: Adam and AdamMini at {@code lr}; Muon at 0.02 on weight matrices with Adam at
     * {@code lr} on biases.
     */
    public IUpdater updater(double lr) {
        return switch (this) {
            case ADAM -> new Adam(lr);
            case ADAMMINI -> new AdamMini(lr);
            case MUON -> Muon.builder().learningRate(0.02).auxiliary(new Adam(lr)).build();
        };
    }

    /** Parses a command-line name; the error lists the allowed ones. */
    public static Optimizers parse(String name) {
        for (Optimizers o : values()) {
            if (o.option.equals(name.toLowerCase(Locale.ROOT))) {
                return o;
            }
        }
        throw new IllegalArgumentException("--optimizer must be one of " + names() + ", got '" + name + "'");
    }

    /** The command-line names. */
    public static List<String> names() {
        return java.util.Arrays.stream(values()).map(Optimizers::option).toList();
    }
}
