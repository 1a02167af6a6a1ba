package dev.fovea.zoo.cli;

import dev.fovea.runtime.fit.EpochResult;
import dev.fovea.runtime.fit.Progress;
import dev.fovea.runtime.fit.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * What {@code fovea train} prints as it goes: on a terminal a progress bar redrawn in place (steps,
 * images/s, loss, top-1, time left, data wait) and a line per epoch; elsewhere only the epoch lines;
 * with {@code --json} one JSON object per epoch and nothing else.
 */
final class ProgressPrinter implements TrainingListener {
    enum Mode { TERMINAL, PLAIN, JSON }

    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 24;

    private final PrintStream out;
    private final Mode mode;
    private long lastDraw;
    private boolean barShown;

    ProgressPrinter(PrintStream out, Mode mode) {
        this.out = out;
        this.mode = mode;
    }

    @Override
    public void step(Progress p) {
        if (mode != Mode.TERMINAL) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS && p.step() < p.steps()) {
            return;
        }
        lastDraw = now;
        int filled = (int) ((long) BAR * p.step() / p.steps());
        String bar = "=".repeat(filled) + (filled < BAR ? ">" + " ".repeat(BAR - filled - 1) : "");
        out.printf(Locale.ROOT, "\repoch %d/%d [%s] %d/%d  loss %.4f  top-1 %5.2f%%  %,.0f img/s  ETA %s  data wait %.1f s\u001b[K",
                p.epoch() + 1, p.epochs(), bar, p.step(), p.steps(), p.loss(), 100 * p.top1(), p.imagesPerSecond(),
                clock(p.epochSecondsLeft()), p.dataWaitSeconds());
        out.flush();
        barShown = true;
    }

    @Override
    public void epoch(EpochResult r) {
        if (mode == Mode.JSON) {
            out.println(r.toJson());
            out.flush(); // a line per epoch as it ends, also into a pipe or a file
            return;
        }
        if (barShown) {
            out.print("\r\u001b[K");
            barShown = false;
        }
        out.println(line(r));
        out.flush();
    }

    static String line(EpochResult r) {
        String test = r.hasTest() ? String.format(Locale.ROOT, "  test loss %.4f top-1 %5.2f%% top-5 %5.2f%%", r.testLoss(), 100 * r.testTop1(),
                100 * r.testTop5()) : "";
        return String.format(Locale.ROOT, "epoch %3d  train loss %.4f top-1 %5.2f%%%s  lr %.4g  %.1f s  %,.0f img/s  data wait %.2f s",
                r.epoch() + 1, r.trainLoss(), 100 * r.trainTop1(), test, r.learningRate(), r.seconds(), r.imagesPerSecond(),
                r.dataWaitSeconds());
    }

    private static String clock(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "-:--";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
