package dev.rosetta.cli;

import dev.rosetta.io.AtomicFile;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * The charts of {@code rosetta report}, drawn with XChart off-screen and written as PNG files
 * atomically: curves per epoch, a confusion-matrix heat map, and per-fold bars.
 */
final class ReportCharts {
  static final int WIDTH = 800;
  static final int HEIGHT = 500;

  private ReportCharts() {}

  /** One named curve: y per epoch, NaN where the run has no value. */
  record Curve(String name, double[] values) {
    boolean present() {
      for (double v : values) {
        if (!Double.isNaN(v)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Curves against the epoch; only those with values are drawn. */
  static void curves(Path file, String title, String yTitle, double[] epochs, List<Curve> curves) throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setMarkerSize(epochs.length > 40 ? 0 : 5);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    for (Curve c : curves) {
      if (!c.present()) {
        continue;
      }
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int i = 0; i < epochs.length; i++) {
        if (!Double.isNaN(c.values()[i])) {
          x.add(epochs[i]);
          y.add(c.values()[i]);
        }
      }
      XYSeries s = chart.addSeries(c.name(), x, y);
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    }
    save(chart, file);
  }

  /** The confusion matrix, true class down, predicted class across, counts in the cells. */
  static void confusion(Path file, List<String> classes, int[][] counts) throws IOException {
    HeatMapChart chart = new HeatMapChartBuilder().width(Math.max(WIDTH / 2 + 60 * classes.size(), 500))
        .height(Math.max(HEIGHT / 2 + 50 * classes.size(), 450)).title("Confusion matrix")
        .xAxisTitle("predicted class").yAxisTitle("true class").build();
    chart.getStyler().setShowValue(true);
    chart.getStyler().setPlotContentSize(1);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x6BAED6), new Color(0x08306B)});
    List<Number[]> cells = new ArrayList<>();
    int k = classes.size();
    for (int t = 0; t < k; t++) {
      for (int p = 0; p < k; p++) {
        // The y axis runs upwards: the first class goes on top.
        cells.add(new Number[] {p, k - 1 - t, counts[t][p]});
      }
    }
    List<String> down = new ArrayList<>(classes);
    java.util.Collections.reverse(down);
    chart.addSeries("rows", classes, down, cells);
    save(chart, file);
  }

  /** One bar group per fold, one bar per metric. */
  static void folds(Path file, String title, List<String> metrics, double[][] perFold) throws IOException {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("fold")
        .yAxisTitle("value").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    List<String> folds = new ArrayList<>();
    for (int f = 0; f < perFold.length; f++) {
      folds.add(Integer.toString(f + 1));
    }
    for (int m = 0; m < metrics.size(); m++) {
      List<Double> v = new ArrayList<>();
      for (double[] fold : perFold) {
        v.add(fold[m]);
      }
      chart.addSeries(metrics.get(m), folds, v);
    }
    save(chart, file);
  }

  /** A sweep's trials, ranked: one bar per trial, its mean with the standard deviation as an error bar. */
  static void trials(Path file, String title, String metric, List<String> trials, List<Double> means, List<Double> stds)
      throws IOException {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("trial (ranked)")
        .yAxisTitle(metric).build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setErrorBarsColor(Color.BLACK);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsFont(chart.getStyler().getAxisTickLabelsFont());
    chart.getStyler().setDecimalPattern("0.0000");
    chart.addSeries(metric, trials, means, stds);
    save(chart, file);
  }

  /** A named line of y against x; NaN where there is no value. */
  record Line(String name, double[] x, double[] y) {}

  /** Lines on logarithmic axes (both): cost curves over sizes that grow by factors. */
  static void logLines(Path file, String title, String xTitle, String yTitle, List<Line> lines) throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setYAxisDecimalPattern("#,###");
    chart.getStyler().setXAxisDecimalPattern("#,###");
    for (Line l : lines) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int i = 0; i < l.x().length; i++) {
        if (!Double.isNaN(l.y()[i]) && l.y()[i] > 0) {
          x.add(l.x()[i]);
          y.add(l.y()[i]);
        }
      }
      if (!x.isEmpty()) {
        chart.addSeries(l.name(), x, y);
      }
    }
    save(chart, file);
  }

  /**
   * Grouped bars: one group per category, one bar per series ({@code values[series][category]},
   * NaN drawn as no bar), e.g. a benchmark's contenders with one bar per round.
   */
  static void groupedBars(
      Path file, String title, String xTitle, String yTitle, List<String> categories, List<String> series,
      double[][] values) throws IOException {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisLabelRotation(20);
    chart.getStyler().setYAxisDecimalPattern(yTitle.equals("ms") ? "0.###" : "#,###");
    for (int s = 0; s < series.size(); s++) {
      List<Double> v = new ArrayList<>();
      for (double x : values[s]) {
        v.add(Double.isNaN(x) ? 0.0 : x);
      }
      chart.addSeries(series.get(s), categories, v);
    }
    save(chart, file);
  }

  private static void save(Chart<?, ?> chart, Path file) throws IOException {
    AtomicFile.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
  }
}
