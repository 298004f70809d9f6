package dev.qbridge.formats;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectPickler;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Pickler;
import net.razorvine.pickle.Unpickler;

/**
 * Python pickles of plain values, read and written with Irmen de Jong's pickle library (net.razorvine:pickle):
 * {@code str}, {@code int}, {@code float}, {@code bool}, {@code None}, {@code bytes}, {@code list}, {@code tuple}
 * and {@code dict}, nested. In Java they are String, Integer/Long/BigInteger, Double, Boolean, null, byte[],
 * List, Object[] (a tuple) and a Map in the pickle's order.
 *
 * <p>A pickle is a program: its GLOBAL, REDUCE, BUILD, INST, OBJ and NEWOBJ instructions name a class or function
 * and call it. Such a pickle is refused at its first such instruction, with the name it loads: nothing is looked up,
 * constructed or called, on our side or by a guess at what the object was. Only the instructions that build plain
 * values run (a whitelist, so an instruction added by a later protocol is refused until it is known). The one global
 * read is {@code _codecs.encode(text, 'latin1')}, how protocols 0 to 2 write bytes: it is recognised by its name and
 * done here (the text's code points as bytes), never looked up.
 */
final class PlainPickle {
    /** Python's limit of nesting for repr and json; a deeper (or, through the memo, cyclic) value is refused. */
    private static final int MAX_DEPTH = 200;
    /** What GLOBAL pushes for _codecs.encode: only a REDUCE that makes bytes of a latin1 text may follow. */
    private static final Object CODECS_ENCODE = new Object();

    static {
        Pickler.registerCustomPickler(Bytes.class, new BytesPickler());
    }

    private PlainPickle() {
    }

    /**
     * The plain value a pickle holds.
     *
     * @throws UnreadableJobException naming what is not plain (a class, a function, a set) or why it is no pickle
     */
    static Object loads(byte[] pickle, String what) {
        PlainUnpickler unpickler = new PlainUnpickler(what);
        try {
            Object value = unpickler.load(new ByteArrayInputStream(pickle));
            if (value == CODECS_ENCODE) {
                throw new UnreadableJobException(what + " is the function _codecs.encode, not a plain value");
            }
            checkPlain(value, what, 0);
            return value;
        } catch (UnreadableJobException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new UnreadableJobException(what + " is not a readable pickle: " + e.getMessage(), e);
        } finally {
            unpickler.close();
        }
    }

    /**
     * The pickle of a plain value (the same Java types {@link #loads} gives; a byte[] is written as Python bytes).
     * Protocol 2 with the bytes opcodes of protocol 3, which every Python 3 reads.
     */
    static byte[] dumps(Object value) {
        try {
            return new Pickler(false).dumps(forPickler(value));
        } catch (IOException e) {
            throw new UncheckedIOException("a plain value could not be pickled", e);
        }
    }

    /** byte[] would be pickled as a bytearray: it becomes Bytes, whose pickler writes Python bytes. */
    private static Object forPickler(Object value) {
        if (value instanceof byte[] bytes) {
            return new Bytes(bytes);
        }
        if (value instanceof Object[] tuple) {
            Object[] copy = new Object[tuple.length];
            for (int i = 0; i < tuple.length; i++) {
                copy[i] = forPickler(tuple[i]);
            }
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(PlainPickle::forPickler).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(forPickler(k), forPickler(v)));
            return copy;
        }
        return value;
    }

    /** The result is checked too: what the whitelist lets through must be exactly the plain types. */
    private static void checkPlain(Object value, String what, int depth) {
        if (depth > MAX_DEPTH) {
            throw new UnreadableJobException(what + " nests deeper than " + MAX_DEPTH + " levels (or refers to itself)");
        }
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof BigInteger || value instanceof Double
                || value instanceof byte[]) {
            return;
        }
        if (value instanceof Object[] tuple) {
            for (Object item : tuple) {
                checkPlain(item, what, depth + 1);
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                checkPlain(item, what, depth + 1);
            }
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                checkPlain(entry.getKey(), what, depth + 1);
                checkPlain(entry.getValue(), what, depth + 1);
            }
        } else {
            throw new UnreadableJobException(what + " holds a " + value.getClass().getSimpleName()
                    + ", not a plain value");
        }
    }

    /** The whitelist of instructions; dicts keep their order (the library's own collects SETITEMS in a HashMap). */
    private static final class PlainUnpickler extends Unpickler {
        private final String what;

        PlainUnpickler(String what) {
            this.what = what;
        }

        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            switch (key) {
                case Opcodes.BINSTRING, Opcodes.BINUNICODE, Opcodes.BINBYTES, Opcodes.LONG4 -> checkLength(key, 4);
                case Opcodes.BINUNICODE8, Opcodes.BINBYTES8 -> checkLength(key, 8);
                default -> {
                }
            }
            switch (key) {
                case Opcodes.PROTO, Opcodes.FRAME, Opcodes.STOP, Opcodes.MARK, Opcodes.POP, Opcodes.POP_MARK,
                        Opcodes.DUP, Opcodes.NONE, Opcodes.NEWTRUE, Opcodes.NEWFALSE, Opcodes.INT, Opcodes.BININT,
                        Opcodes.BININT1, Opcodes.BININT2, Opcodes.LONG, Opcodes.LONG1, Opcodes.LONG4, Opcodes.FLOAT,
                        Opcodes.BINFLOAT, Opcodes.STRING, Opcodes.BINSTRING, Opcodes.SHORT_BINSTRING, Opcodes.UNICODE,
                        Opcodes.BINUNICODE, Opcodes.SHORT_BINUNICODE, Opcodes.BINUNICODE8, Opcodes.BINBYTES,
                        Opcodes.SHORT_BINBYTES, Opcodes.BINBYTES8, Opcodes.EMPTY_TUPLE, Opcodes.TUPLE, Opcodes.TUPLE1,
                        Opcodes.TUPLE2, Opcodes.TUPLE3, Opcodes.EMPTY_LIST, Opcodes.APPEND, Opcodes.APPENDS,
                        Opcodes.LIST, Opcodes.SETITEM, Opcodes.PUT, Opcodes.BINPUT, Opcodes.LONG_BINPUT,
                        Opcodes.MEMOIZE, Opcodes.GET, Opcodes.BINGET, Opcodes.LONG_BINGET -> {
                    return super.dispatch(key);
                }
                case Opcodes.EMPTY_DICT -> {
                    stack.add(new LinkedHashMap<>());
                    return NO_RETURN_VALUE;
                }
                case Opcodes.DICT -> {
                    Map<Object, Object> dict = new LinkedHashMap<>();
                    putPairs(dict, stack.pop_all_since_marker());
                    stack.add(dict);
                    return NO_RETURN_VALUE;
                }
                case Opcodes.SETITEMS -> {
                    List<Object> pairs = stack.pop_all_since_marker();
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
                    putPairs(dict, pairs);
                    return NO_RETURN_VALUE;
                }
                case Opcodes.GLOBAL -> {
                    // read as load_global reads it, to recognise bytes or to name it in the refusal
                    String module = PickleUtils.readline(input);
                    String name = PickleUtils.readline(input);
                    if (module.equals("_codecs") && name.equals("encode")) {
                        stack.add(CODECS_ENCODE);
                        return NO_RETURN_VALUE;
                    }
                    throw refusal("the global " + module + "." + name);
                }
                case Opcodes.REDUCE -> {
                    Object args = stack.pop();
                    Object callable = stack.pop();
                    if (callable == CODECS_ENCODE && args instanceof Object[] a && a.length == 2
                            && a[0] instanceof String text && "latin1".equals(a[1])) {
                        stack.add(text.getBytes(StandardCharsets.ISO_8859_1));
                        return NO_RETURN_VALUE;
                    }
                    throw refusal("a call of " + (callable == CODECS_ENCODE ? "_codecs.encode with other arguments"
                            : "something that is not a global"));
                }
                case Opcodes.STACK_GLOBAL -> {
                    Object name = stack.pop();
                    Object module = stack.pop();
                    throw refusal("the global " + module + "." + name);
                }
                case Opcodes.EMPTY_SET, Opcodes.FROZENSET, Opcodes.ADDITEMS -> throw refusal("a set");
                case Opcodes.BYTEARRAY8 -> throw refusal("a bytearray");
                default -> throw refusal("pickle instruction " + describe(key));
            }
        }

        /**
         * The library allocates what a length prefix declares before it reads: a pickle of a few bytes declaring
         * 2 GiB would take the heap. The pickle is all in memory, so a length is checked against what is left.
         */
        private void checkLength(short key, int prefix) throws IOException {
            input.mark(prefix);
            byte[] bytes = PickleUtils.readbytes(input, prefix);
            input.reset();
            long length = prefix == 4 ? PickleUtils.bytes_to_integer(bytes) & 0xffffffffL
                    : PickleUtils.bytes_to_long(bytes, 0);
            long left = input.available() - (long) prefix;
            if (length < 0 || length > left) {
                throw new UnreadableJobException(what + " declares " + Long.toUnsignedString(length) + " bytes where "
                        + left + " are left (instruction " + key + "): it is cut short or forged");
            }
        }

        private static void putPairs(Map<Object, Object> dict, List<Object> pairs) {
            if (pairs.size() % 2 != 0) {
                throw new PickleException("a dict of an odd number of items");
            }
            for (int i = 0; i < pairs.size(); i += 2) {
                Object key = pairs.get(i);
                if (key instanceof Object[] || key instanceof byte[]) {
                    // identity-hashed in Java: the dict would not be Python's
                    throw new PickleException("a dict key that is a tuple or bytes");
                }
                dict.put(key, pairs.get(i + 1));
            }
        }

        private UnreadableJobException refusal(String loaded) {
            return new UnreadableJobException(what + " loads " + loaded + ": only plain values (str, int, float, bool,"
                    + " None, bytes, list, tuple, dict) are read from a pickle; objects, functions and classes are"
                    + " never loaded");
        }

        private static String describe(short key) {
            return switch (key) {
                case Opcodes.BUILD -> "BUILD (an object's state)";
                case Opcodes.INST, Opcodes.OBJ, Opcodes.NEWOBJ, Opcodes.NEWOBJ_EX -> "of an object (" + key + ")";
                case Opcodes.PERSID, Opcodes.BINPERSID -> "of a persistent id";
                case Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4 -> "of an extension registry";
                case Opcodes.NEXT_BUFFER, Opcodes.READONLY_BUFFER -> "of an out-of-band buffer";
                default -> String.valueOf(key);
            };
        }
    }

    /** Python bytes, for the pickler. */
    private record Bytes(byte[] value) {
    }

    /** SHORT_BINBYTES or BINBYTES (protocol 3): what Python writes for bytes. */
    private static final class BytesPickler implements IObjectPickler {
        @Override
        public void pickle(Object o, OutputStream out, Pickler pickler) throws IOException {
            byte[] value = ((Bytes) o).value();
            if (value.length < 256) {
                out.write(Opcodes.SHORT_BINBYTES);
                out.write(value.length);
            } else {
                out.write(Opcodes.BINBYTES);
                out.write(PickleUtils.integer_to_bytes(value.length));
            }
            out.write(value);
        }
    }
}
