/** Classification accuracy with its 95 % interval. */
export interface Accuracy {
  readonly correct: number;
  readonly images: number;
  readonly rate: number;
  /** Wilson score interval: honest at small counts and near 0 or 1, where the normal approximation is not. */
  readonly ci95: readonly [number, number];
}

/** The Wilson score interval of `correct` successes in `n` trials, at z (1.96 for 95 %). */
export function wilson(correct: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = correct / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function accuracy(correct: number, images: number): Accuracy {
  return { correct, images, rate: images > 0 ? correct / images : 0, ci95: wilson(correct, images) };
}

/** One image's label (if known) and the class the hardware gave it. */
export interface Prediction {
  readonly label: number | undefined;
  readonly predicted: number;
}

/**
 * Accuracy over the labelled images and the confusion matrix (rows: true label, columns:
 * predicted class, `classes` of each); undefined when no image has a label.
 */
export function scorePredictions(predictions: readonly Prediction[], classes: number): { accuracy: Accuracy; confusion: number[][] } | undefined {
  const labelled = predictions.filter((p): p is { label: number; predicted: number } => p.label !== undefined);
  if (labelled.length === 0) return undefined;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (const { label, predicted } of labelled) {
    if (label === predicted) correct++;
    const row = confusion[label];
    if (row !== undefined && predicted < classes) row[predicted]!++;
  }
  return { accuracy: accuracy(correct, labelled.length), confusion };
}
