package dev.curvature.hessian.internal;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;

/** A ComputationGraph whose runtime vertices a probe copy can replace (by index and by name, as DL4J keeps both). */
final class ProbeGraph extends ComputationGraph {

    ProbeGraph(ComputationGraphConfiguration conf) {
        super(conf);
    }

    void replaceVertex(GraphVertex vertex) {
        vertices[vertex.getVertexIndex()] = vertex;
        verticesMap.put(vertex.getVertexName(), vertex);
    }
}
