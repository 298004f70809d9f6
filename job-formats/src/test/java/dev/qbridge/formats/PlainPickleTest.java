package dev.qbridge.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** On pickles written by CPython 3.11 (rq/pickles, captured with the RQ fixtures), protocols 2 and 5. */
class PlainPickleTest {

    @ParameterizedTest
    @ValueSource(ints = {2, 5})
    void plainValuesAreReadWithTheirPythonTypes(int protocol) {
        Object value = PlainPickle.loads(Fixtures.bytes("rq/pickles/plain-" + protocol + ".pickle"), "test pickle");

        // ('tasks.add', None, ('x', 1, 2.5, None, True, b'b', [1], (2,)), {'k': {'z': 1, 'a': 2}})
        Object[] call = (Object[]) value;
        assertThat(call[0]).isEqualTo("tasks.add");
        assertThat(call[1]).isNull();
        Object[] args = (Object[]) call[2];
        assertThat(Arrays.asList(args).subList(0, 5)).containsExactly("x", 1, 2.5, null, true);
        assertThat((byte[]) args[5]).isEqualTo(new byte[] {'b'});
        assertThat(args[6]).isEqualTo(List.of(1));
        assertThat((Object[]) args[7]).containsExactly(2);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> kwargs = (Map<String, Map<String, Object>>) call[3];
        assertThat(kwargs.get("k").keySet()).as("a dict keeps Python's order").containsExactly("z", "a");
    }

    @Test
    void plainValuesComeBackFromTheirOwnPickle() {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("z", new BigInteger("12345678901234567890"));
        dict.put("a", List.of(1.0, -7, "caf\u00e9 \uD83D\uDE00"));
        List<Object> list = new ArrayList<>(Arrays.asList(null, true, false, new byte[300], new Object[] {1L, "t"}));
        Object[] value = {"f", dict, list, new Object[0]};

        Object back = PlainPickle.loads(PlainPickle.dumps(value), "test pickle");

        Object[] call = (Object[]) back;
        assertThat(call[0]).isEqualTo("f");
        assertThat(call[1]).isEqualTo(dict);
        @SuppressWarnings("unchecked")
        List<Object> backList = (List<Object>) call[2];
        assertThat(backList.subList(0, 3)).containsExactly(null, true, false);
        assertThat((byte[]) backList.get(3)).hasSize(300).containsOnly(0);
        assertThat((Object[]) backList.get(4)).containsExactly(1, "t");
        assertThat((Object[]) call[3]).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5})
    void aClassInstanceIsRefusedByTheNameOfItsClass(int protocol) {
        assertThatThrownBy(() -> PlainPickle.loads(Fixtures.bytes("rq/pickles/instance-" + protocol + ".pickle"), "test pickle"))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageStartingWith("test pickle loads the global __main__.Point: only plain values");
    }

    @ParameterizedTest
    @ValueSource(strings = {"os-system-2", "os-system-5", "reduce-os-system-2", "reduce-os-system-5"})
    void aFunctionIsRefusedBeforeAnythingIsLookedUpOrCalled(String fixture) {
        // reduce-os-system is (os.system, ('echo ...',)): GLOBAL, then the arguments, then REDUCE, the call
        assertThatThrownBy(() -> PlainPickle.loads(Fixtures.bytes("rq/pickles/" + fixture + ".pickle"), "test pickle"))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("loads the global posix.system")
                .hasMessageContaining("objects, functions and classes are never loaded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"set-2", "set-5", "bytearray-2", "bytearray-5"})
    void setsAndBytearraysAreNoPlainValues(String fixture) {
        // protocol 2 builds both with a global (builtins.set, builtins.bytearray), protocol 5 with their own opcodes
        assertThatThrownBy(() -> PlainPickle.loads(Fixtures.bytes("rq/pickles/" + fixture + ".pickle"), "test pickle"))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageMatching("test pickle loads (a set|a bytearray|the global (__builtin__|builtins)\\.(set|bytearray)):.*");
    }

    @Test
    void aListThatHoldsItselfIsRefused() {
        // PROTO 2, EMPTY_LIST, BINPUT 0, BINGET 0, APPEND, STOP: l = []; l.append(l)
        byte[] cyclic = {(byte) 0x80, 2, ']', 'q', 0, 'h', 0, 'a', '.'};

        assertThatThrownBy(() -> PlainPickle.loads(cyclic, "test pickle"))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("refers to itself");
    }

    @Test
    void aLengthLongerThanThePickleIsRefusedBeforeAnythingIsAllocated() {
        // PROTO 2, BINBYTES of 2^31 - 1 bytes, in a pickle of nine: the library would allocate them first
        byte[] binbytes = {(byte) 0x80, 2, 'B', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 'x', '.'};
        // PROTO 4, BINUNICODE8 of 2^40 bytes
        byte[] binunicode8 = {(byte) 0x80, 4, (byte) 0x8d, 0, 0, 0, 0, 0, 1, 0, 0, '.'};

        for (byte[] pickle : new byte[][] {binbytes, binunicode8}) {
            assertThatThrownBy(() -> PlainPickle.loads(pickle, "test pickle"))
                    .isInstanceOf(UnreadableJobException.class)
                    .hasMessageContaining("declares")
                    .hasMessageContaining("bytes where")
                    .hasMessageContaining("are left");
        }
    }

    @Test
    void bytesThatAreNoPickleAreUnreadableWithTheParsersReason() {
        assertThatThrownBy(() -> PlainPickle.loads(new byte[] {(byte) 0x80, 2, 'X'}, "test pickle"))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageStartingWith("test pickle is not a readable pickle");
    }
}
