package dev.curvature.optimizers.arbiter;

import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.VertxUIServer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arbiter 1.0.0-beta7 runs on DL4J/ND4J 1.0.0-M2.1 only: none of its beta7 DL4J/ND4J artifacts is on the classpath. */
class ClasspathTest {

    @Test
    void onlyArbiterItselfIsBeta7() throws Exception {
        List<String> beta7 = new ArrayList<>();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/MANIFEST.MF"))) {
            String s = url.toString();
            String jar = s.contains("!/") ? s.substring(0, s.indexOf("!/")) : s;
            if (jar.contains("beta7")) {
                beta7.add(jar.substring(jar.lastIndexOf('/') + 1));
            }
        }
        Collections.sort(beta7);
        assertEquals(List.of("arbiter-core-1.0.0-beta7.jar", "arbiter-deeplearning4j-1.0.0-beta7.jar",
                "arbiter-ui-1.0.0-beta7.jar"), beta7);
    }

    @Test
    void dl4jNd4jAndTheUiComeFromM21() {
        for (Class<?> c : List.of(MultiLayerNetwork.class, Nd4j.class, VertxUIServer.class)) {
            String jar = c.getProtectionDomain().getCodeSource().getLocation().toString();
            assertTrue(jar.contains("1.0.0-M2.1"), c.getName() + " loaded from " + jar);
        }
        String arbiter = MultiLayerSpace.class.getProtectionDomain().getCodeSource().getLocation().toString();
        assertTrue(arbiter.contains("arbiter-deeplearning4j-1.0.0-beta7"), arbiter);
    }
}
