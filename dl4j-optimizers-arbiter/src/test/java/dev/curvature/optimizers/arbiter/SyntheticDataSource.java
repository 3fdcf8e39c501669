package dev.curvature.optimizers.arbiter;

import dev.curvature.testing.SyntheticData;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.Properties;

/**
 * Arbiter {@link DataSource} over {@link SyntheticData#classification}: one seeded task split into train and test
 * examples. Configured by properties so that Arbiter can instantiate it per candidate and serialise the search
 * configuration (the UI listener writes it as JSON).
 */
public final class SyntheticDataSource implements DataSource {
    public static final int N_IN = 12;
    public static final int N_CLASSES = 4;

    private static final long serialVersionUID = 1L;

    private long seed = 7;
    private int nTrain = 512;
    private int nTest = 256;
    private int batch = 64;
    private transient DataSet all;

    public SyntheticDataSource() {
    }

    public static Properties properties(long seed, int nTrain, int nTest, int batch) {
        Properties p = new Properties();
        p.setProperty("seed", Long.toString(seed));
        p.setProperty("train", Integer.toString(nTrain));
        p.setProperty("test", Integer.toString(nTest));
        p.setProperty("batch", Integer.toString(batch));
        return p;
    }

    public static Properties defaults() {
        return properties(7, 512, 256, 64);
    }

    @Override
    public void configure(Properties properties) {
        seed = Long.parseLong(properties.getProperty("seed", Long.toString(seed)));
        nTrain = Integer.parseInt(properties.getProperty("train", Integer.toString(nTrain)));
        nTest = Integer.parseInt(properties.getProperty("test", Integer.toString(nTest)));
        batch = Integer.parseInt(properties.getProperty("batch", Integer.toString(batch)));
        all = null;
    }

    private DataSet all() {
        if (all == null) {
            all = SyntheticData.classification(seed, nTrain + nTest, N_IN, N_CLASSES, DataType.FLOAT);
        }
        return all;
    }

    @Override
    public DataSetIterator trainData() {
        return new ListDataSetIterator<>(all().getRange(0, nTrain).asList(), batch);
    }

    @Override
    public DataSetIterator testData() {
        return new ListDataSetIterator<>(all().getRange(nTrain, nTrain + nTest).asList(), batch);
    }

    @Override
    public Class<?> getDataType() {
        return DataSetIterator.class;
    }
}
