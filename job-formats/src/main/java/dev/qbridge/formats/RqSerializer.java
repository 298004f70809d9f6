package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qbridge.core.QueueException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * How an RQ queue's jobs serialize their call and {@code meta}: RQ's {@code DefaultSerializer} (pickle, the
 * default) or its {@code JSONSerializer} ({@code serializer=json}), as the queue's workers are configured. A job's
 * {@code data} is zlib of the serializer's dump of {@code (func_name, instance, args, kwargs)}. Reading tells the two
 * apart by the first byte (a pickle starts with its PROTO instruction, JSON with {@code [}), so either is read
 * whatever the queue is configured with; writing uses the configured one.
 */
public enum RqSerializer {
    PICKLE,
    JSON;

    /**
     * The most a job's {@code data} may inflate to (64 MiB): a few kilobytes of zlib can declare gigabytes, and one
     * job must not take the heap of a process that moves thousands.
     */
    static final int MAX_INFLATED_BYTES = 64 << 20;

    /** The call a job's {@code data} holds: its function's name and arguments, tuples and bytes marked. */
    record Call(String funcName, ArrayNode args, ObjectNode kwargs, ObjectNode marks) {
    }

    public static RqSerializer parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new QueueException(QueueException.Kind.CONFIG,
                    "serializer '" + value + "' is unknown; use pickle (RQ's default) or json (rq.serializers.JSONSerializer)");
        }
    }

    /** The call in a job's {@code data}, or why it holds none that can be read. */
    static Call readData(byte[] data, String where) {
        byte[] dump = inflate(data, where);
        ObjectNode marks = Json.newObject();
        List<Object> tuple;
        if (isJson(dump)) {
            JsonNode node = Json.tree(dump, "the data of the " + where);
            if (!node.isArray()) {
                throw notACall(where, "a JSON " + node.getNodeType().toString().toLowerCase(Locale.ROOT));
            }
            tuple = new ArrayList<>();
            node.forEach(tuple::add);
        } else {
            Object value = PlainPickle.loads(dump, "the data (pickle) of the " + where);
            if (!(value instanceof Object[] items)) {
                throw notACall(where, value == null ? "None" : value.getClass().getSimpleName());
            }
            tuple = Arrays.asList(items);
        }
        if (tuple.size() != 4) {
            throw notACall(where, "a sequence of " + tuple.size());
        }
        JsonNode func = json(tuple.get(0), "/func", marks, where);
        JsonNode instance = json(tuple.get(1), "/instance", marks, where);
        JsonNode args = json(tuple.get(2), "/args", marks, where);
        JsonNode kwargs = json(tuple.get(3), "/kwargs", marks, where);
        if (!func.isTextual() || func.textValue().isEmpty()) {
            throw new UnreadableJobException("the " + where + " has no function name (data[0] is " + func + ")");
        }
        if (!instance.isNull()) {
            throw new UnreadableJobException("the " + where + " calls " + func.textValue() + " on an instance; only"
                    + " jobs of a function named by its path (instance None) can be read");
        }
        if (!args.isArray() || !kwargs.isObject()) {
            throw new UnreadableJobException("the " + where + " (" + func.textValue() + ") has args " + args.getNodeType()
                    + " and kwargs " + kwargs.getNodeType() + "; RQ's are a tuple or list and a dict");
        }
        return new Call(func.textValue(), (ArrayNode) args, (ObjectNode) kwargs, marks);
    }

    /** A job's {@code data}: zlib of this serializer's dump of {@code (func_name, None, args, kwargs)}. */
    byte[] writeData(Call call, String where) {
        if (this == JSON) {
            checkNoBytes(call.marks(), where);
            ArrayNode tuple = Json.newArray();
            tuple.add(call.funcName()).addNull().add(call.args()).add(call.kwargs());
            return deflate(Json.pythonStyleBytes(tuple));
        }
        // the args as a tuple, as RQ's enqueue(f, *args) makes them
        Object args = ((List<?>) PythonJson.fromJson(call.args(), "/args", call.marks())).toArray();
        Object kwargs = PythonJson.fromJson(call.kwargs(), "/kwargs", call.marks());
        return deflate(PlainPickle.dumps(new Object[] {call.funcName(), null, args, kwargs}));
    }

    /** {@code meta} (a dict, not compressed) as JSON, its tuples and bytes marked under {@code /meta}. */
    static JsonNode readMeta(byte[] meta, ObjectNode marks, String where) {
        String what = "the meta of the " + where;
        Object value = isJson(meta) || (meta.length > 0 && meta[0] == '{') ? Json.tree(meta, what)
                : PlainPickle.loads(meta, what + " (pickle)");
        JsonNode json = value instanceof JsonNode node ? node : PythonJson.toJson(value, "/meta", marks, true, what);
        if (!json.isObject()) {
            throw new UnreadableJobException(what + " is a " + json.getNodeType() + ", not a dict");
        }
        return json;
    }

    byte[] writeMeta(JsonNode meta, ObjectNode marks, String where) {
        if (this == JSON) {
            checkNoBytes(marks, where);
            return Json.pythonStyleBytes(meta);
        }
        return PlainPickle.dumps(PythonJson.fromJson(meta, "/meta", marks));
    }

    private static JsonNode json(Object value, String pointer, ObjectNode marks, String where) {
        if (value instanceof JsonNode node) {
            return node;
        }
        // args are a tuple or a list and either runs the same: only what is inside them is marked
        return PythonJson.toJson(value, pointer, marks, !pointer.equals("/args"), "the data of the " + where);
    }

    private static void checkNoBytes(ObjectNode marks, String where) {
        if (PythonJson.hasBytes(marks)) {
            throw new UnreadableJobException("the " + where + " holds bytes, which RQ's JSONSerializer cannot write;"
                    + " write it to a queue with serializer=pickle");
        }
    }

    private static boolean isJson(byte[] dump) {
        for (byte b : dump) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return b == '[';
            }
        }
        return false;
    }

    private static UnreadableJobException notACall(String where, String what) {
        return new UnreadableJobException("the data of the " + where + " is " + what
                + ", not RQ's (func_name, instance, args, kwargs)");
    }

    /** zlib as RQ's {@code zlib.decompress}; like RQ, data that is not zlib is taken as it is. */
    private static byte[] inflate(byte[] data, String where) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length * 4);
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return data; // truncated or not zlib: RQ falls back to the raw bytes
                }
                out.write(buffer, 0, n);
                if (out.size() > MAX_INFLATED_BYTES) {
                    throw new UnreadableJobException("the data of the " + where + " inflates to more than "
                            + MAX_INFLATED_BYTES + " bytes");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            return data;
        } finally {
            inflater.end();
        }
    }

    /** zlib at Python's default level (6, which is Deflater's default too). */
    private static byte[] deflate(byte[] bytes) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
        try {
            deflater.setInput(bytes);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 64);
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
