package dev.curvature.examples.search;

import dev.curvature.examples.SyntheticTask;
import dev.curvature.examples.data.FashionMnist;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Arbiter {@link DataSource} for the {@code search} example: the first {@code train} images of Fashion-MNIST's
 * training split to train on and the last {@code validation} images of the same split to score on (the test split is
 * never looked at while tuning), or the synthetic task when {@code dir} is empty. Configured by properties, as Arbiter
 * instantiates one per candidate; the loaded arrays are shared between candidates.
 */
public final class SearchDataSource implements DataSource {
    private static final long serialVersionUID = 1L;
    private static final Map<String, DataSet[]> CACHE = new ConcurrentHashMap<>();

    private String dir = "";
    private int train = 10_000;
    private int validation = 5_000;
    private int batch = 128;
    private long seed = 12345;

    public SearchDataSource() {
    }

    /** Properties for {@link #configure}; an empty {@code dir} selects the synthetic task. */
    public static Properties properties(Path dir, int train, int validation, int batch, long seed) {
        Properties p = new Properties();
        p.setProperty("dir", dir == null ? "" : dir.toString());
        p.setProperty("train", Integer.toString(train));
        p.setProperty("validation", Integer.toString(validation));
        p.setProperty("batch", Integer.toString(batch));
        p.setProperty("seed", Long.toString(seed));
        return p;
    }

    @Override
    public void configure(Properties p) {
        dir = p.getProperty("dir", dir);
        train = Integer.parseInt(p.getProperty("train", Integer.toString(train)));
        validation = Integer.parseInt(p.getProperty("validation", Integer.toString(validation)));
        batch = Integer.parseInt(p.getProperty("batch", Integer.toString(batch)));
        seed = Long.parseLong(p.getProperty("seed", Long.toString(seed)));
    }

    /** {@code [train, validation]}, loaded once per distinct configuration. */
    DataSet[] splits() {
        String key = dir + "|" + train + "|" + validation + "|" + seed;
        return CACHE.computeIfAbsent(key, k -> {
            if (dir.isEmpty()) {
                DataSet[] d = SyntheticTask.make(seed, train, validation, FashionMnist.PIXELS, FashionMnist.CLASSES);
                return new DataSet[] {d[0], d[1]};
            }
            DataSet all = FashionMnist.load(Path.of(dir), FashionMnist.Split.TRAIN, 0);
            int n = all.numExamples();
            if (train + validation > n) {
                throw new IllegalArgumentException("train + validation = " + (train + validation) + " exceeds the "
                        + n + " images of the training split");
            }
            return new DataSet[] {(DataSet) all.getRange(0, train), (DataSet) all.getRange(n - validation, n)};
        });
    }

    /** Shuffled once (seeded) and cut into minibatches; the same order for every candidate. */
    @Override
    public DataSetIterator trainData() {
        DataSet d = splits()[0];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < d.numExamples(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int[] idx = order.stream().mapToInt(Integer::intValue).toArray();
        return batches(d.get(idx));
    }

    @Override
    public DataSetIterator testData() {
        return batches(splits()[1]);
    }

    private DataSetIterator batches(DataSet d) {
        return new ExistingDataSetIterator(d.batchBy(batch));
    }

    @Override
    public Class<?> getDataType() {
        return DataSetIterator.class;
    }
}
