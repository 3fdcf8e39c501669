package dev.curvature.hessian.ui.module;

import dev.curvature.hessian.BlockLabel;
import dev.curvature.hessian.sink.JsonLinesReportSink;
import dev.curvature.hessian.ui.storage.HessianProbe;
import dev.curvature.hessian.ui.storage.HessianSessionInfo;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.util.List;

/** The JSON documents of the tab's routes (see {@link HessianModule} for the routes and shapes). */
final class ProbeJson {
    private ProbeJson() {
    }

    static String sessions(List<ProbeReader.SessionSummary> sessions, boolean multiSession) {
        ObjectNode root = Json.object().put("multiSession", multiSession);
        ArrayNode list = root.putArray("sessions");
        for (ProbeReader.SessionSummary s : sessions) {
            ObjectNode o = list.addObject().put("id", s.id());
            s.workers().forEach(o.putArray("workers")::add);
            o.put("reports", s.reports());
            if (s.reports() > 0) {
                o.put("lastUpdate", s.lastUpdate());
            } else {
                o.putNull("lastUpdate");
            }
            o.put("training", s.training());
            HessianSessionInfo info = s.info();
            if (info != null) {
                o.put("label", info.label()).put("method", info.method()).put("partition", info.partition())
                        .put("blocks", info.blocks()).put("parameters", info.parameters());
                info.layers().forEach(o.putArray("layers")::add);
            }
        }
        return Json.write(root);
    }

    static String reports(String sessionId, Long since, List<HessianProbe> probes) {
        ObjectNode root = Json.object().put("session", sessionId);
        if (since == null) {
            root.putNull("since");
        } else {
            root.put("since", since.longValue());
        }
        ArrayNode list = root.putArray("reports");
        for (HessianProbe p : probes) {
            summary(list.addObject(), p);
        }
        return Json.write(root);
    }

    static String latest(String sessionId, List<HessianProbe> probes) {
        ObjectNode root = Json.object().put("session", sessionId);
        ArrayNode list = root.putArray("latest");
        for (HessianProbe p : probes) {
            ObjectNode o = list.addObject();
            summary(o, p);
            blocks(o, p);
        }
        return Json.write(root);
    }

    private static void summary(ObjectNode j, HessianProbe p) {
        j.put("worker", p.workerId()).put("timestamp", p.timestamp()).put("iteration", p.iteration())
                .put("epoch", p.epoch()).put("method", p.method()).put("partition", p.partition())
                .put("parameters", p.parameters()).put("probesPerBlock", p.probesPerBlock())
                .put("hessianVectorProducts", p.hessianVectorProducts()).put("elapsedMillis", p.elapsedMillis());
        Json.number(j, "pairwiseRatio", p.pairwiseRatio());
        Json.number(j, "pairwiseRatioStandardError", p.pairwiseRatioStandardError());
        Json.number(j, "offDiagonalMassRatio", p.offDiagonalMassRatio());
        Json.number(j, "offDiagonalMassRatioStandardError", p.offDiagonalMassRatioStandardError());
        Json.number(j, "topEigenvalue", p.topEigenvalue());
        Json.number(j, "bottomEigenvalue", p.bottomEigenvalue());
        Json.number(j, "trace", p.trace());
        Json.number(j, "traceStandardError", p.traceStandardError());
        j.put("blocks", p.blockCount()).put("probedBlocks", p.probedBlocks().length);
        p.notExact().forEach(j.putArray("notExact")::add);
        ArrayNode layers = j.putArray("layers");
        p.layers().forEach(l -> JsonLinesReportSink.putLayer(layers.addObject(), l)); // the sink's JSON form
    }

    /** Labels, probed blocks and the measured columns {@code columns[p][i] = ||H_ij||_F}, {@code j = probed[p]}. */
    private static void blocks(ObjectNode j, HessianProbe p) {
        ArrayNode labels = j.putArray("labels");
        for (BlockLabel l : p.labels()) {
            labels.addObject().put("layer", l.layer()).put("param", l.param()).put("index", l.index())
                    .put("count", l.count()).put("text", l.toString());
        }
        ArrayNode probed = j.putArray("probed");
        for (int b : p.probedBlocks()) {
            probed.add(b);
        }
        ArrayNode columns = j.putArray("columns");
        for (double[] column : p.blockNormColumns()) {
            ArrayNode c = columns.addArray();
            for (double v : column) {
                Json.number(c, v);
            }
        }
    }
}
