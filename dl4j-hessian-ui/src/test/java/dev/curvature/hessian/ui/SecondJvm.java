package dev.curvature.hessian.ui;

import dev.curvature.hessian.sink.JsonLinesReportSink;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.core.storage.impl.RemoteUIStatsStorageRouter;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The other JVM of {@link CrossJvmTest}: trains a tiny network with the listener posting through
 * {@link HessianUi#sink(StatsStorageRouter, String, String)}, and also writes every report as JSON Lines (the
 * listener's own sink) so the first JVM can compare what the UI shows with what was measured, independently of the
 * storage format.
 *
 * <pre>
 * file   &lt;stats file&gt; &lt;session&gt; &lt;reports.jsonl&gt;   FileStatsStorage, closed before exit
 * remote &lt;UI address&gt; &lt;session&gt; &lt;reports.jsonl&gt;   RemoteUIStatsStorageRouter; waits until the UI lists every report
 * </pre>
 * Exit status 0 on success, 2 on a usage error, 3 if the remote UI did not show every report within a minute.
 */
public final class SecondJvm {
    /** Iterations trained; the listener probes every second iteration. */
    static final int ITERATIONS = 5;
    static final int FREQUENCY = 2;
    static final int HIDDEN = 5;
    static final String WORKER = "second-jvm";

    private SecondJvm() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !(args[0].equals("file") || args[0].equals("remote"))) {
            System.err.println("usage: SecondJvm file|remote <stats file | UI address> <session> <reports.jsonl>");
            System.exit(2);
        }
        String session = args[2];
        JsonLinesReportSink expected = new JsonLinesReportSink(Path.of(args[3]), true);
        StatsStorageRouter router = args[0].equals("file") ? new FileStatsStorage(new File(args[1]))
                : new RemoteUIStatsStorageRouter(args[1]);
        TestTraining.Run run = new TestTraining.Run("hidden", HIDDEN, 41, FREQUENCY,
                List.of(HessianUi.sink(router, session, WORKER), expected)).train(ITERATIONS);
        int reports = run.reports().size();
        System.out.println("trained with " + reports + " reports");
        if (router instanceof FileStatsStorage file) {
            file.close();
            System.exit(0);
        }
        // the remote router posts from a background thread: stay until the UI shows every report
        String path = "/hessian/api/sessions/" + session + "/reports";
        UiFixture.Answer a = waitFor(args[1] + path, reports);
        System.out.println("the UI answered " + a.status() + " with " + a.body().length() + " bytes");
        ((RemoteUIStatsStorageRouter) router).shutdown();
        System.exit(a.status() == 200 && a.json().get("reports").size() == reports ? 0 : 3);
    }

    private static UiFixture.Answer waitFor(String url, int reports) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        UiFixture.Answer a = UiFixture.getUrl(url);
        while (!(a.status() == 200 && a.json().get("reports").size() == reports) && System.nanoTime() < end) {
            Thread.sleep(200);
            a = UiFixture.getUrl(url);
        }
        return a;
    }
}
