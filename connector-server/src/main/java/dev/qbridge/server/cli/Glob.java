package dev.qbridge.server.cli;

/**
 * Redis's glob patterns ({@code *}, {@code ?}, {@code [abc]}, {@code [^a-z]}, {@code \} escapes), for names that are
 * not keys and so cannot be matched by SCAN MATCH itself: a job system's queue names.
 */
final class Glob {

    private Glob() {
    }

    static boolean matches(String pattern, String text) {
        return matches(pattern, 0, text, 0);
    }

    private static boolean matches(String p, int pi, String t, int ti) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*' -> {
                    for (int k = ti; k <= t.length(); k++) {
                        if (matches(p, pi + 1, t, k)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (ti >= t.length()) {
                        return false;
                    }
                    pi++;
                    ti++;
                }
                case '[' -> {
                    if (ti >= t.length()) {
                        return false;
                    }
                    int end = p.indexOf(']', pi + 2);
                    if (end < 0) {
                        return literal(p, pi, t, ti) && matches(p, pi + 1, t, ti + 1);
                    }
                    if (!inClass(p.substring(pi + 1, end), t.charAt(ti))) {
                        return false;
                    }
                    pi = end + 1;
                    ti++;
                }
                case '\\' -> {
                    if (pi + 1 < p.length()) {
                        pi++;
                    }
                    if (!literal(p, pi, t, ti)) {
                        return false;
                    }
                    pi++;
                    ti++;
                }
                default -> {
                    if (!literal(p, pi, t, ti)) {
                        return false;
                    }
                    pi++;
                    ti++;
                }
            }
        }
        return ti == t.length();
    }

    private static boolean literal(String p, int pi, String t, int ti) {
        return ti < t.length() && p.charAt(pi) == t.charAt(ti);
    }

    private static boolean inClass(String set, char c) {
        boolean negate = set.startsWith("^");
        String s = negate ? set.substring(1) : set;
        boolean found = false;
        for (int i = 0; i < s.length(); i++) {
            if (i + 2 < s.length() && s.charAt(i + 1) == '-') {
                char lo = (char) Math.min(s.charAt(i), s.charAt(i + 2));
                char hi = (char) Math.max(s.charAt(i), s.charAt(i + 2));
                found |= c >= lo && c <= hi;
                i += 2;
            } else {
                found |= s.charAt(i) == c;
            }
        }
        return found != negate;
    }
}
