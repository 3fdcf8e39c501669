package dev.curvature.hessian.ui.module;

import dev.curvature.hessian.BlockLabel;
import dev.curvature.hessian.LayerSummary;
import dev.curvature.hessian.ui.storage.HessianProbe;
import dev.curvature.hessian.ui.storage.HessianSessionInfo;

import java.util.List;

/** The JSON documents of the tab's routes (see {@link HessianModule} for the routes and shapes). */
final class ProbeJson {
    private ProbeJson() {
    }

    static String sessions(List<ProbeReader.SessionSummary> sessions, boolean multiSession) {
        Json j = new Json().beginObject().field("multiSession", multiSession).name("sessions").beginArray();
        for (ProbeReader.SessionSummary s : sessions) {
            j.beginObject().field("id", s.id()).name("workers").beginArray();
            for (String w : s.workers()) {
                j.value(w);
            }
            j.endArray().field("reports", s.reports()).name("lastUpdate");
            if (s.reports() > 0) {
                j.value(s.lastUpdate());
            } else {
                j.value((String) null);
            }
            j.field("training", s.training());
            HessianSessionInfo info = s.info();
            if (info != null) {
                j.field("method", info.method()).field("partition", info.partition()).field("blocks", info.blocks())
                        .field("parameters", info.parameters()).name("layers").beginArray();
                for (String layer : info.layers()) {
                    j.value(layer);
                }
                j.endArray();
            }
            j.endObject();
        }
        return j.endArray().endObject().toString();
    }

    static String reports(String sessionId, Long since, List<HessianProbe> probes) {
        Json j = new Json().beginObject().field("session", sessionId).name("since");
        if (since == null) {
            j.value((String) null);
        } else {
            j.value(since.longValue());
        }
        j.name("reports").beginArray();
        for (HessianProbe p : probes) {
            j.beginObject();
            summary(j, p);
            j.endObject();
        }
        return j.endArray().endObject().toString();
    }

    static String latest(String sessionId, List<HessianProbe> probes) {
        Json j = new Json().beginObject().field("session", sessionId).name("latest").beginArray();
        for (HessianProbe p : probes) {
            j.beginObject();
            summary(j, p);
            blocks(j, p);
            j.endObject();
        }
        return j.endArray().endObject().toString();
    }

    private static void summary(Json j, HessianProbe p) {
        j.field("worker", p.workerId()).field("timestamp", p.timestamp()).field("iteration", p.iteration())
                .field("epoch", p.epoch()).field("method", p.method()).field("partition", p.partition())
                .field("parameters", p.parameters()).field("probesPerBlock", p.probesPerBlock())
                .field("hessianVectorProducts", p.hessianVectorProducts()).field("elapsedMillis", p.elapsedMillis())
                .field("pairwiseRatio", p.pairwiseRatio())
                .field("pairwiseRatioStandardError", p.pairwiseRatioStandardError())
                .field("offDiagonalMassRatio", p.offDiagonalMassRatio())
                .field("offDiagonalMassRatioStandardError", p.offDiagonalMassRatioStandardError())
                .field("topEigenvalue", p.topEigenvalue()).field("bottomEigenvalue", p.bottomEigenvalue())
                .field("trace", p.trace()).field("traceStandardError", p.traceStandardError())
                .field("blocks", p.blockCount()).field("probedBlocks", p.probedBlocks().length)
                .name("layers").beginArray();
        for (LayerSummary l : p.layers()) {
            j.beginObject().field("layer", l.layer()).field("blocks", l.blocks())
                    .field("probedBlocks", l.probedBlocks()).field("parameters", l.parameters())
                    .field("diagonalRms", l.diagonalRms()).field("offDiagonalRms", l.offDiagonalRms())
                    .field("pairwiseRatio", l.pairwiseRatio())
                    .field("pairwiseRatioStandardError", l.pairwiseRatioStandardError())
                    .field("offDiagonalMassRatio", l.offDiagonalMassRatio())
                    .field("offDiagonalMassRatioStandardError", l.offDiagonalMassRatioStandardError())
                    .field("trace", l.trace()).field("traceStandardError", l.traceStandardError()).endObject();
        }
        j.endArray();
    }

    /** Labels, probed blocks and the measured columns {@code columns[p][i] = ||H_ij||_F}, {@code j = probed[p]}. */
    private static void blocks(Json j, HessianProbe p) {
        j.name("labels").beginArray();
        for (BlockLabel l : p.labels()) {
            j.beginObject().field("layer", l.layer()).field("param", l.param()).field("index", l.index())
                    .field("count", l.count()).field("text", l.toString()).endObject();
        }
        j.endArray().name("probed").beginArray();
        for (int b : p.probedBlocks()) {
            j.value(b);
        }
        j.endArray().name("columns").beginArray();
        for (double[] column : p.blockNormColumns()) {
            j.beginArray();
            for (double v : column) {
                j.value(v);
            }
            j.endArray();
        }
        j.endArray();
    }
}
