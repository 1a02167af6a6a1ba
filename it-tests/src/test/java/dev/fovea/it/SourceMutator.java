package dev.fovea.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mutates the text of a Fovea source the ways users get it wrong, keeping it valid Java so that every
 * error must come from Fovea: a number changed, an annotation dropped or copied onto another member, a
 * member dropped or declared twice, a layer name misspelt. Only member lines ({@code ... Layer name();})
 * are touched, never the constants javac itself must fold.
 */
final class SourceMutator {
    private static final Pattern MEMBER = Pattern.compile("\\bLayer (\\w+)\\(\\);");
    /** A whole number that is not part of a decimal, an exponent or a name. */
    private static final Pattern INTEGER = Pattern.compile("(?<![\\w.\\-])\\d+(?![\\w.])");
    private static final Pattern STRING = Pattern.compile("\"([^\"\\\\]*)\"");
    private static final Pattern ANNOTATION_START = Pattern.compile("@(\\w+)");
    private static final int[] NUMBERS = {0, 1, 2, 3, 5, 7, 16, 64, 1000, -1};

    private final Random rnd;

    SourceMutator(Random rnd) {
        this.rnd = rnd;
    }

    /** The source with one mutation applied, described in {@code what}. */
    record Mutant(String source, String what) {}

    Mutant mutate(String source) {
        List<String> lines = new ArrayList<>(source.lines().toList());
        List<Integer> members = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (MEMBER.matcher(lines.get(i)).find() && lines.get(i).contains("@")) {
                members.add(i);
            }
        }
        if (members.isEmpty()) {
            return new Mutant(source, "unchanged");
        }
        int at = members.get(rnd.nextInt(members.size()));
        String line = lines.get(at);
        String what;
        switch (rnd.nextInt(6)) {
            case 0 -> what = changeNumber(lines, at);
            case 1 -> what = dropAnnotation(lines, at);
            case 2 -> what = copyAnnotation(lines, at, members.get(rnd.nextInt(members.size())));
            case 3 -> {
                int first = firstLineOf(lines, at);
                lines.subList(first, at + 1).clear();
                what = "dropped member: " + line.strip();
            }
            case 4 -> {
                Matcher m = MEMBER.matcher(line);
                m.find();
                List<String> copy = new ArrayList<>(lines.subList(firstLineOf(lines, at), at));
                copy.add(line.substring(0, m.start()) + "Layer " + m.group(1) + "Again();");
                lines.addAll(at + 1, copy);
                what = "member declared twice: " + m.group(1);
            }
            default -> what = misspell(lines, at);
        }
        return new Mutant(String.join("\n", lines) + "\n", what);
    }

    /**
     * The first line of the member that ends at {@code at}: its annotations (and a connection table's rows) may
     * stand on the lines above, back to the end of the declaration before it, a brace, a blank line or a comment.
     */
    private static int firstLineOf(List<String> lines, int at) {
        int first = at;
        while (first > 0 && continues(lines.get(first - 1).strip())) {
            first--;
        }
        return first;
    }

    private static boolean continues(String previous) {
        if (previous.endsWith("{")) {
            return previous.contains("@"); // an array value opens ("connections = {"), not a type
        }
        return !previous.isEmpty() && !previous.endsWith(";") && !previous.endsWith("}")
                && !previous.startsWith("//") && !previous.startsWith("*") && !previous.startsWith("/*");
    }

    private String changeNumber(List<String> lines, int at) {
        String line = lines.get(at);
        List<MatchResult> numbers = matches(INTEGER, line);
        if (numbers.isEmpty()) {
            return dropAnnotation(lines, at);
        }
        MatchResult n = numbers.get(rnd.nextInt(numbers.size()));
        int value = Integer.parseInt(n.text());
        int[] choices = {NUMBERS[rnd.nextInt(NUMBERS.length)], value + 1, value - 1, value * 2, value / 2};
        int replacement = choices[rnd.nextInt(choices.length)];
        lines.set(at, line.substring(0, n.start()) + replacement + line.substring(n.end()));
        return "number " + value + " -> " + replacement + ": " + lines.get(at).strip();
    }

    private String dropAnnotation(List<String> lines, int at) {
        String line = lines.get(at);
        List<int[]> spans = annotations(line);
        int[] span = spans.get(rnd.nextInt(spans.size()));
        lines.set(at, line.substring(0, span[0]) + line.substring(Math.min(line.length(), span[1] + 1)));
        return "dropped " + line.substring(span[0], span[1]) + ": " + lines.get(at).strip();
    }

    /** Copies an annotation of one member onto another that has none of that type (a second would be javac's error). */
    private String copyAnnotation(List<String> lines, int from, int to) {
        String source = lines.get(from);
        List<int[]> spans = annotations(source);
        int[] span = spans.get(rnd.nextInt(spans.size()));
        String annotation = source.substring(span[0], span[1]);
        Matcher type = ANNOTATION_START.matcher(annotation);
        type.find();
        String target = lines.get(to);
        String member = String.join(" ", lines.subList(firstLineOf(lines, to), to + 1));
        if (Pattern.compile("@" + type.group(1) + "\\b").matcher(member).find()) {
            return misspell(lines, to);
        }
        Matcher name = MEMBER.matcher(target);
        name.find();
        lines.set(to, target.substring(0, name.start()) + annotation + " " + target.substring(name.start()));
        return "copied " + annotation + " onto " + name.group(1);
    }

    private String misspell(List<String> lines, int at) {
        String line = lines.get(at);
        List<MatchResult> strings = matches(STRING, line).stream().filter(s -> s.text().length() > 2).toList();
        if (strings.isEmpty()) {
            return changeNumber(lines, at);
        }
        MatchResult s = strings.get(rnd.nextInt(strings.size()));
        String word = s.text().substring(1, s.text().length() - 1);
        int i = rnd.nextInt(word.length());
        String wrong = switch (rnd.nextInt(3)) {
            case 0 -> word.substring(0, i) + word.substring(i + 1);
            case 1 -> word.substring(0, i) + (char) ('a' + rnd.nextInt(26)) + word.substring(i + 1);
            default -> i + 1 < word.length() ? word.substring(0, i) + word.charAt(i + 1) + word.charAt(i) + word.substring(i + 2) : word + "x";
        };
        lines.set(at, line.substring(0, s.start()) + "\"" + wrong + "\"" + line.substring(s.end()));
        return "misspelt \"" + word + "\" as \"" + wrong + "\"";
    }

    /** Each annotation on the line as {start, end}: from its {@code @} to its closing parenthesis or name. */
    private static List<int[]> annotations(String line) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = ANNOTATION_START.matcher(line);
        int from = 0;
        while (m.find(from)) {
            int end = m.end();
            if (end < line.length() && line.charAt(end) == '(') {
                end = closing(line, end) + 1;
            }
            spans.add(new int[] {m.start(), end});
            from = end;
        }
        return spans;
    }

    /** The index of the parenthesis that closes the one at {@code open}, skipping string literals. */
    private static int closing(String line, int open) {
        int depth = 0;
        boolean quoted = false;
        for (int i = open; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && --depth == 0) {
                return i;
            }
        }
        return line.length() - 1;
    }

    private record MatchResult(int start, int end, String text) {}

    private static List<MatchResult> matches(Pattern p, String line) {
        List<MatchResult> out = new ArrayList<>();
        Matcher m = p.matcher(line);
        while (m.find()) {
            out.add(new MatchResult(m.start(), m.end(), m.group()));
        }
        return out;
    }
}
