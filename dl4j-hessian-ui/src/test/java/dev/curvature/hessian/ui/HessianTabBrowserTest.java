package dev.curvature.hessian.ui;

import dev.curvature.hessian.BlockHessianReport;
import dev.curvature.hessian.LayerSummary;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tab in a real browser: a UI server on a free port, a small network trained with the listener posting through
 * {@link HessianUi}, and headless Chromium (Debian {@code chromium} and {@code chromium-driver}) driven by Selenium
 * with the local driver. Checks that the charts have one point per probe, the heatmap one cell per block pair, that
 * the numbers on the page are those of the reports, that the page follows training without a reload, that a layer
 * named like markup is shown as text, and the canvas heatmap of a model with many blocks. Screenshots go to
 * {@code target/hessian-tab.png} and {@code target/hessian-tab-canvas.png}.
 *
 * <p>If Chromium cannot be started this test fails and says why; it never skips.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HessianTabBrowserTest {
    private static final Path CHROMIUM = Path.of(System.getProperty("hessian.ui.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("hessian.ui.chromedriver", "/usr/bin/chromedriver"));
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int WINDOW_WIDTH = 1400;
    private static final int WINDOW_HEIGHT = 2400;
    private static final int HIDDEN = 5;
    /** Enough hidden units for more blocks than the page draws as SVG, so it uses the canvas. */
    private static final int WIDE_HIDDEN = 110;

    private final String session = "browser-" + UUID.randomUUID();
    private final String wideSession = "browser-wide-" + UUID.randomUUID();
    private final String kinkedSession = "browser-kinked-" + UUID.randomUUID();
    private InMemoryStatsStorage storage;
    private TestTraining.Run run;
    private TestTraining.Run wideRun;
    private TestTraining.Run kinkedRun;
    private WebDriver driver;
    private Path profile;

    @BeforeAll
    void trainAndStartChromium() throws IOException {
        storage = new InMemoryStatsStorage();
        UiFixture.server().attach(storage);
        run = new TestTraining.Run(TestTraining.HOSTILE_LAYER_NAME, HIDDEN, 31, 2,
                List.of(HessianUi.sink(storage, session, "browser-worker")), new StatsListener(storage, 1, session))
                .train(10);
        assertEquals(5, run.reports().size(), "probes at iterations 0, 2, 4, 6, 8");
        wideRun = new TestTraining.Run("wide", WIDE_HIDDEN, 32, 1, List.of(HessianUi.sink(storage, wideSession, "w")))
                .train(2);
        kinkedRun = HessianModuleRoutesTest.kinkedRun(storage, kinkedSession, 33).train(2);
        profile = Files.createTempDirectory("hessian-ui-chromium-");
        driver = startChromium(profile);
    }

    @AfterAll
    void stop() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        UiFixture.server().detach(storage);
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void pageFollowsTrainingWithoutReload() {
        open(session);
        waitForPoints(5);
        Object marker = js("return window.performance.timeOrigin;");
        run.train(4);
        assertEquals(7, run.reports().size(), "probes at iterations 10 and 12 added");
        waitForPoints(7);
        assertEquals(marker, js("return window.performance.timeOrigin;"), "same page: it was not reloaded");
        WebElement status = driver.findElement(By.id("status"));
        assertEquals("live", status.getAttribute("data-state"));
        assertEquals("7", status.getAttribute("data-reports"));
    }

    @Test
    @Order(2)
    void chartsHeatmapTableAndCardsShowTheReports() throws IOException {
        List<BlockHessianReport> reports = run.reports();
        open(session);
        waitForPoints(reports.size());

        // ratio chart: one point per probe and series, values and standard errors exact, bands present
        checkSeries("pairwise", reports, BlockHessianReport::pairwiseRatio, BlockHessianReport::pairwiseRatioStandardError);
        checkSeries("mass", reports, BlockHessianReport::offDiagonalMassRatio,
                BlockHessianReport::offDiagonalMassRatioStandardError);
        assertTrue(count("#ratio-chart path.band[data-series='pairwise']") >= 1, "error band of the pairwise ratio");
        assertTrue(count("#ratio-chart path.band[data-series='mass']") >= 1, "error band of the mass ratio");
        checkSeries("top", reports, BlockHessianReport::topEigenvalue, null);
        checkSeries("bottom", reports, BlockHessianReport::bottomEigenvalue, null);
        checkSeries("trace", reports, BlockHessianReport::trace, BlockHessianReport::traceStandardError);
        assertTrue(count("#trace-chart path.band") >= 1, "error band of the trace");

        // heatmap of the latest report: one SVG cell per block pair with the exact norm, NaN where not probed
        BlockHessianReport latest = reports.get(reports.size() - 1);
        int b = latest.blockCount();
        List<List<Object>> cells = rows("#heatmap rect.cell", "row", "col", "value");
        assertEquals(b * b, cells.size(), "one cell per block pair");
        int notProbed = 0;
        for (List<Object> cell : cells) {
            int i = Integer.parseInt((String) cell.get(0));
            int j = Integer.parseInt((String) cell.get(1));
            double shown = Double.parseDouble((String) cell.get(2));
            assertEquals(latest.blockNorm(i, j), shown, 0.0, "cell " + i + "," + j);
            notProbed += Double.isNaN(shown) ? 1 : 0;
        }
        assertEquals(4, notProbed, "two unprobed blocks leave a 2 x 2 set of unknown pairs");

        // hover: the readout names both blocks and shows the value
        WebElement cell = driver.findElement(By.cssSelector("#heatmap rect.cell[data-row='1'][data-col='2']"));
        new Actions(driver).moveToElement(cell).perform();
        WebElement hover = driver.findElement(By.id("heatmap-hover"));
        new WebDriverWait(driver, WAIT).until(d -> "1".equals(hover.getAttribute("data-row")));
        assertEquals("2", hover.getAttribute("data-col"));
        assertEquals(latest.blockNorm(1, 2), Double.parseDouble(hover.getAttribute("data-value")), 0.0);
        assertTrue(hover.getText().contains(latest.labels().get(1).toString()), hover.getText());
        assertTrue(hover.getText().contains(latest.labels().get(2).toString()), hover.getText());

        // per-layer table
        List<WebElement> rows = driver.findElements(By.cssSelector("#layer-table tbody tr"));
        assertEquals(latest.layers().size(), rows.size());
        for (int k = 0; k < rows.size(); k++) {
            LayerSummary l = latest.layers().get(k);
            WebElement row = rows.get(k);
            assertEquals(l.layer(), field(row, "layer").getText());
            assertEquals(l.blocks(), Integer.parseInt(field(row, "blocks").getAttribute("data-value")));
            assertEquals(l.probedBlocks(), Integer.parseInt(field(row, "blocks").getAttribute("data-probed")));
            assertEquals(l.parameters(), Long.parseLong(field(row, "parameters").getAttribute("data-value")));
            assertShown(l.pairwiseRatio(), field(row, "pairwiseRatio"));
            assertShown(l.pairwiseRatioStandardError(), field(row, "pairwiseRatioStandardError"));
            assertShown(l.offDiagonalMassRatio(), field(row, "offDiagonalMassRatio"));
            assertShown(l.offDiagonalMassRatioStandardError(), field(row, "offDiagonalMassRatioStandardError"));
            assertShown(l.diagonalRms(), field(row, "diagonalRms"));
            assertShown(l.offDiagonalRms(), field(row, "offDiagonalRms"));
            assertShown(l.trace(), field(row, "trace"));
            assertShown(l.traceStandardError(), field(row, "traceStandardError"));
        }

        // summary cards
        assertEquals(String.valueOf(latest.iteration()), driver.findElement(By.id("latest-iteration")).getText());
        assertShown(latest.pairwiseRatio(), driver.findElement(By.id("latest-pairwise-ratio")));
        assertShown(latest.pairwiseRatioStandardError(), driver.findElement(By.id("latest-pairwise-ratio-se")));
        assertShown(latest.offDiagonalMassRatio(), driver.findElement(By.id("latest-off-diagonal-mass-ratio")));
        assertShown(latest.offDiagonalMassRatioStandardError(), driver.findElement(By.id("latest-off-diagonal-mass-ratio-se")));
        assertShown(latest.topEigenvalue(), driver.findElement(By.id("latest-top-eigenvalue")));
        assertShown(latest.trace(), driver.findElement(By.id("latest-trace")));
        assertShown(latest.traceStandardError(), driver.findElement(By.id("latest-trace-se")));
        assertEquals(String.valueOf(b), driver.findElement(By.id("latest-blocks")).getAttribute("data-value"));

        // link to the built-in training pages, which serve this session too (a StatsListener shares it)
        String href = driver.findElement(By.id("train-link")).getAttribute("href");
        assertTrue(href.endsWith("/train/overview"), href);
        assertEquals(200, UiFixture.getUrl(href).status());

        screenshot("hessian-tab.png");
        assertNoConsoleErrors();
    }

    @Test
    @Order(3)
    void aLayerNamedLikeMarkupIsShownAsText() {
        open(session);
        waitForPoints(run.reports().size());
        assertEquals(List.of(), driver.findElements(By.tagName("img")), "no element was created from a name");
        assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert(), "no script ran");
        WebElement name = driver.findElement(By.cssSelector("#layer-table tbody tr td[data-field='layer']"));
        assertEquals(TestTraining.HOSTILE_LAYER_NAME, name.getText());
        assertEquals("&lt;img src=x onerror=alert(1)&gt;", name.getAttribute("innerHTML"), "stored as text, not markup");
        WebElement groupTitle = driver.findElement(By.cssSelector("#heatmap .layer-labels text title"));
        assertEquals(TestTraining.HOSTILE_LAYER_NAME + " (" + (HIDDEN + 1) + " blocks)", groupTitle.getAttribute("textContent"));
        String cellTitle = (String) js("return document.querySelector(\"#heatmap rect.cell[data-row='0'][data-col='0'] title\").textContent;");
        assertTrue(cellTitle.startsWith(TestTraining.HOSTILE_LAYER_NAME + "/W[0] × "), cellTitle);
        assertNoConsoleErrors();
    }

    @Test
    @Order(4)
    void manyBlocksDrawOnACanvasAndTheSessionSelectorSwitches() throws IOException {
        open(session);
        waitForPoints(run.reports().size());
        new Select(driver.findElement(By.id("session-select"))).selectByValue(wideSession);
        BlockHessianReport latest = wideRun.reports().get(wideRun.reports().size() - 1);
        int b = latest.blockCount();
        assertTrue(b > 96, "more blocks than the SVG heatmap draws: " + b);
        waitForPoints(wideRun.reports().size());
        WebElement canvas = new WebDriverWait(driver, WAIT).until(d -> d.findElement(By.id("heatmap-canvas")));
        assertEquals(String.valueOf(b * b), canvas.getAttribute("data-cells"), "one canvas cell per block pair");
        assertEquals(0, count("#heatmap rect.cell"));
        assertTrue(driver.getCurrentUrl().endsWith("#session=" + URLEncoder.encode(wideSession, StandardCharsets.UTF_8)),
                driver.getCurrentUrl());

        // hover a probed and an unprobed pair: the readout gives the report's value
        int probed = latest.probedBlocks()[3];
        int unprobed = -1;
        for (int j = 0; j < b && unprobed < 0; j++) {
            unprobed = latest.isProbed(j) ? -1 : j;
        }
        Rectangle box = canvas.getRect();
        for (int[] pair : new int[][] {{7, probed}, {unprobed, unprobed}}) {
            int dx = (int) Math.round((pair[1] + 0.5) * box.getWidth() / b - box.getWidth() / 2.0);
            int dy = (int) Math.round((pair[0] + 0.5) * box.getHeight() / b - box.getHeight() / 2.0);
            new Actions(driver).moveToElement(canvas, dx, dy).perform();
            WebElement hover = driver.findElement(By.id("heatmap-hover"));
            new WebDriverWait(driver, WAIT).until(d -> String.valueOf(pair[0]).equals(hover.getAttribute("data-row"))
                    && String.valueOf(pair[1]).equals(hover.getAttribute("data-col")));
            assertEquals(latest.blockNorm(pair[0], pair[1]), Double.parseDouble(hover.getAttribute("data-value")), 0.0);
        }
        assertTrue(driver.findElement(By.id("heatmap-hover")).getText().endsWith("not probed"));
        screenshot("hessian-tab-canvas.png");
        assertNoConsoleErrors();
    }

    @Test
    @Order(5)
    void theSelectorShowsSessionLabelsAndThePageWarnsOfProductsThatWereNotExact() {
        open(kinkedSession);
        waitForPoints(kinkedRun.reports().size());
        Select select = new Select(driver.findElement(By.id("session-select")));
        WebElement option = select.getFirstSelectedOption();
        assertEquals(kinkedSession, option.getAttribute("value"));
        assertTrue(option.getText().startsWith(HessianModuleRoutesTest.LABEL + " · " + kinkedSession + " ("),
                option.getText());
        assertEquals(HessianModuleRoutesTest.LABEL, option.getAttribute("data-label"));
        assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert(), "the label ran no script");
        List<String> notExact = kinkedRun.reports().get(kinkedRun.reports().size() - 1).notExact();
        WebElement warning = driver.findElement(By.id("not-exact"));
        new WebDriverWait(driver, WAIT).until(d -> warning.isDisplayed());
        assertEquals("not exact: " + String.join(", ", notExact), warning.getText());
        assertEquals(String.valueOf(notExact.size()), warning.getAttribute("data-units"));
        // an unlabelled session shows its bare id, and an exact one no warning
        select.selectByValue(session);
        waitForPoints(run.reports().size());
        assertTrue(select.getFirstSelectedOption().getText().startsWith(session + " ("),
                select.getFirstSelectedOption().getText());
        new WebDriverWait(driver, WAIT).until(d -> !warning.isDisplayed());
        assertEquals("0", warning.getAttribute("data-units"));
        assertNoConsoleErrors();
    }

    // ------------------------------------------------------------------ helpers

    private static WebDriver startChromium(Path profile) {
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                fail(p + " is missing: the browser test needs Debian's chromium and chromium-driver "
                        + "(apt-get install -y chromium chromium-driver), or -Dhessian.ui.chromium / "
                        + "-Dhessian.ui.chromedriver pointing at a Chromium and its driver");
            }
        }
        File log = new File("target/chromedriver.log");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogFile(log).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                "--window-size=" + WINDOW_WIDTH + "," + WINDOW_HEIGHT, "--hide-scrollbars");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        try {
            return new ChromeDriver(service, options);
        } catch (WebDriverException e) {
            return fail("Chromium could not be started (" + CHROMIUM + " with " + CHROMEDRIVER + "; driver log "
                    + log.getAbsolutePath() + "): " + e.getMessage(), e);
        }
    }

    /** Loads the page afresh (a bare change of the fragment would keep the loaded page). */
    private void open(String id) {
        driver.get("about:blank");
        driver.get(UiFixture.base() + "/hessian#session=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
    }

    private void waitForPoints(int n) {
        try {
            new WebDriverWait(driver, WAIT).until(d -> count("#ratio-chart circle.point[data-series='pairwise']") == n);
        } catch (WebDriverException e) {
            throw new AssertionError("the ratio chart did not reach " + n + " points (it has "
                    + count("#ratio-chart circle.point[data-series='pairwise']") + "); status: "
                    + driver.findElement(By.id("status")).getText(), e);
        }
    }

    private interface Quantity {
        double of(BlockHessianReport r);
    }

    /** One point per report, in iteration order, with the exact value and standard error. */
    private void checkSeries(String series, List<BlockHessianReport> reports, Quantity value, Quantity se) {
        List<List<Object>> points = rows("circle.point[data-series='" + series + "']", "iteration", "value", "se");
        assertEquals(reports.size(), points.size(), series + ": one point per probe");
        for (int k = 0; k < reports.size(); k++) {
            BlockHessianReport r = reports.get(k);
            List<Object> p = points.get(k);
            assertEquals(r.iteration(), Long.parseLong((String) p.get(0)), series);
            assertEquals(value.of(r), Double.parseDouble((String) p.get(1)), 0.0, series + " at " + r.iteration());
            if (se != null) {
                assertEquals(se.of(r), Double.parseDouble((String) p.get(2)), 0.0, series + " error at " + r.iteration());
            }
        }
    }

    /** The data attributes of every element matching the selector, in document order, in one script call. */
    @SuppressWarnings("unchecked")
    private List<List<Object>> rows(String selector, String... attributes) {
        return (List<List<Object>>) js("var attrs = arguments[1];"
                + "return Array.prototype.map.call(document.querySelectorAll(arguments[0]), function (e) {"
                + "  return attrs.map(function (a) { return e.getAttribute('data-' + a); }); });", selector,
                List.of(attributes));
    }

    private long count(String selector) {
        return (Long) js("return document.querySelectorAll(arguments[0]).length;", selector);
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private static WebElement field(WebElement row, String name) {
        return row.findElement(By.cssSelector("[data-field='" + name + "']"));
    }

    /** The exact value in data-value, and visible text that reads as the same number to the four digits shown. */
    private static void assertShown(double expected, WebElement e) {
        assertEquals(expected, Double.parseDouble(e.getAttribute("data-value")), 0.0, e.getAttribute("id"));
        String text = e.getText().replace("± ", "");
        if (Double.isFinite(expected)) {
            assertEquals(expected, Double.parseDouble(text), Math.abs(expected) * 5e-4, "shown as " + text);
        } else {
            assertEquals("–", text);
        }
    }

    /**
     * Saves the whole page: the window (opened taller than any page here; headless Chromium does not grow a window
     * beyond its initial size) shrinks to the page's height plus the window frame first.
     */
    private void screenshot(String name) throws IOException {
        js("window.scrollTo(0, 0);");
        long height = (Long) js("return document.body.offsetHeight + window.outerHeight - window.innerHeight;");
        driver.manage().window().setSize(new Dimension(WINDOW_WIDTH, (int) Math.min(height, WINDOW_HEIGHT)));
        Path file = Path.of("target", name);
        Files.createDirectories(file.getParent());
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    private void assertNoConsoleErrors() {
        List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertFalse(!severe.isEmpty(), "browser console errors: " + severe);
    }
}
