package dev.rosetta.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-epoch figures a training control can watch ({@code monitor} of early stopping and of
 * {@code reduce_on_plateau}), named as the columns of {@code history.csv}: {@code train_loss},
 * then each evaluated set's loss and metrics ({@code val_loss}, {@code val_accuracy}, ...). Which
 * exist depends on the loss: accuracy and macro F1 for a classifier, MAE, RMSE and R² for a
 * regression.
 */
public final class Monitor {
  private Monitor() {}

  /** Whether a figure improves by going down or up; {@code auto} takes the figure's own. */
  public enum Mode implements Codec.Named {
    AUTO,
    MIN,
    MAX;
  }

  /** The metrics after {@code <set>_} for a model trained with {@code loss}. */
  public static List<String> metrics(Loss loss) {
    return loss.accept(new Loss.Visitor<List<String>>() {
      @Override
      public List<String> crossEntropy(Loss.CrossEntropy l) {
        return List.of("loss", "accuracy", "macro_f1");
      }

      @Override
      public List<String> mse(Loss.Mse l) {
        return List.of("loss", "mae", "rmse", "r2");
      }
    });
  }

  /** Every figure a monitor may name for {@code loss}. */
  public static List<String> names(Loss loss) {
    List<String> out = new ArrayList<>();
    out.add("train_loss");
    for (String set : List.of("val", "test")) {
      for (String m : metrics(loss)) {
        out.add(set + "_" + m);
      }
    }
    return out;
  }

  /** True when {@code name} (a known figure) improves upward: accuracy, F1, R². */
  public static boolean higherIsBetter(String name) {
    return name.endsWith("_accuracy") || name.endsWith("_f1") || name.endsWith("_r2");
  }

  /** The direction {@code mode} gives {@code name}: true for up. */
  public static boolean maximize(Mode mode, String name) {
    return mode == Mode.AUTO ? higherIsBetter(name) : mode == Mode.MAX;
  }
}
