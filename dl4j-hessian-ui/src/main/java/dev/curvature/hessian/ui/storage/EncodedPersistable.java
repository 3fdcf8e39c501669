package dev.curvature.hessian.ui.storage;

import org.deeplearning4j.core.storage.Persistable;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The DL4J {@link Persistable} plumbing shared by {@link HessianProbePersistable} and
 * {@link HessianSessionInfoPersistable}: one immutable value, encoded with {@link ProbeEncoding}. Every
 * {@code encode} variant writes the same bytes ({@link #encodingLengthBytes()} of them) and every {@code decode}
 * variant replaces the value; the storages call {@code decode} only on a fresh instance made by the public no-arg
 * constructor of the subclass (DL4J re-creates persistables by class name). Java serialisation goes through the
 * same bytes.
 *
 * @param <T> the value type
 */
public abstract sealed class EncodedPersistable<T> implements Persistable
        permits HessianProbePersistable, HessianSessionInfoPersistable {
    private static final long serialVersionUID = 1L;

    private transient T value;
    private transient byte[] encoded;

    EncodedPersistable() {
    }

    EncodedPersistable(T value) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        this.value = value;
    }

    /** The value; throws if this instance was made by the no-arg constructor and never decoded. */
    final T value() {
        if (value == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " holds no value: it was created empty for "
                    + "decoding and decode(...) has not been called");
        }
        return value;
    }

    abstract byte[] encodeValue(T value);

    abstract T decodeValue(ByteBuffer buffer);

    private byte[] bytes() {
        byte[] b = encoded;
        if (b == null) {
            b = encodeValue(value());
            encoded = b;
        }
        return b;
    }

    @Override
    public int encodingLengthBytes() {
        return bytes().length;
    }

    /** The encoding (a new array). */
    @Override
    public byte[] encode() {
        return bytes().clone();
    }

    @Override
    public void encode(ByteBuffer buffer) {
        buffer.put(bytes());
    }

    @Override
    public void encode(OutputStream outputStream) throws IOException {
        outputStream.write(bytes());
    }

    @Override
    public void decode(byte[] decode) {
        decode(ByteBuffer.wrap(decode));
    }

    @Override
    public void decode(ByteBuffer buffer) {
        T decoded = decodeValue(buffer);
        value = decoded;
        encoded = null;
    }

    /** Reads the stream to its end and decodes that. */
    @Override
    public void decode(InputStream inputStream) throws IOException {
        decode(inputStream.readAllBytes());
    }

    /** Java serialisation: the encoding's length and bytes. */
    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        byte[] b = bytes();
        out.writeInt(b.length);
        out.write(b);
    }

    /** Java serialisation: decodes what {@link #writeObject} wrote. */
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        decode(b);
    }

    /** Same class and equal values. */
    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Objects.equals(value, ((EncodedPersistable<?>) o).value);
    }

    /** The value's hash. */
    @Override
    public int hashCode() {
        return Objects.hashCode(value);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + value + "]";
    }
}
