// Log-odds and back, for the maps that are averaged or calibrated as logits (probabilities clipped away from 0 and 1,
// where the logit is infinite).

/** ln(p / (1 - p)), with p first clipped to [cap, 1 - cap]. */
export function logit(p: number, cap = 1e-6): number {
  const q = Math.min(1 - cap, Math.max(cap, p));
  return Math.log(q / (1 - q));
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
