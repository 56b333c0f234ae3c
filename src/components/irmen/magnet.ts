/**
 * The IRMEN nanomagnet: a square-section ferromagnet (FM) with uniaxial crystalline
 * anisotropy along its length, written through a magnetoelectric (ME) capacitor and read
 * through an inverse Rashba-Edelstein (IR) stack (seed 000, Table I).
 *
 * Its transfer function is the magnetization along the hard axis against the applied
 * field: linear until the field reaches the hard-axis saturation field, then flat. That
 * field is the crystalline anisotropy field plus the shape anisotropy of the elongated
 * magnet, so a longer magnet needs a larger ME field to saturate, which is the paper's
 * reason energy rises with FM length.
 */

export const MU0 = 4e-7 * Math.PI;
export const KB = 1.380649e-23;
export const C_LIGHT = 299_792_458;

/**
 * Demagnetizing factor along side 2c of a rectangular prism 2a x 2b x 2c
 * (A. Aharoni, J. Appl. Phys. 83, 3432 (1998), Eq. 1). The three factors sum to 1.
 */
export function prismDemag(a: number, b: number, c: number): number {
  const r = Math.sqrt(a * a + b * b + c * c);
  const ab = Math.sqrt(a * a + b * b);
  const bc = Math.sqrt(b * b + c * c);
  const ac = Math.sqrt(a * a + c * c);
  const s =
    ((b * b - c * c) / (2 * b * c)) * Math.log((r - a) / (r + a)) +
    ((a * a - c * c) / (2 * a * c)) * Math.log((r - b) / (r + b)) +
    (b / (2 * c)) * Math.log((ab + a) / (ab - a)) +
    (a / (2 * c)) * Math.log((ab + b) / (ab - b)) +
    (c / (2 * a)) * Math.log((bc - b) / (bc + b)) +
    (c / (2 * b)) * Math.log((ac - a) / (ac + a)) +
    2 * Math.atan((a * b) / (c * r)) +
    (a ** 3 + b ** 3 - 2 * c ** 3) / (3 * a * b * c) +
    ((a * a + b * b - 2 * c * c) / (3 * a * b * c)) * r +
    (c / (a * b)) * (ac + bc) -
    (ab ** 3 + bc ** 3 + ac ** 3) / (3 * a * b * c);
  return s / Math.PI;
}

export interface MagnetParams {
  /** FM length along the easy axis, m. */
  readonly length: number;
  /** FM cross-section, m^2 (square). */
  readonly crossSection: number;
  /** Crystalline anisotropy K, J/m^3. */
  readonly anisotropy: number;
  /** Saturation magnetization Ms, A/m. */
  readonly saturationMagnetization: number;
  /** Temperature, K. */
  readonly temperature: number;
}

/** Volume in m^3 (Table I: 1530-5400 nm^3 for 17-60 nm at 90 nm^2). */
export const volume = (m: MagnetParams): number => m.length * m.crossSection;

/** Thermal stability Delta = K V / kT (Table I: 16-59 for 17-60 nm). */
export const thermalStability = (m: MagnetParams): number => (m.anisotropy * volume(m)) / (KB * m.temperature);

/** Demagnetizing factors along the length and across it. */
export function demagFactors(m: MagnetParams): { along: number; across: number } {
  const half = Math.sqrt(m.crossSection) / 2;
  const along = prismDemag(half, half, m.length / 2);
  return { along, across: (1 - along) / 2 };
}

/** Field along the hard axis that saturates the magnet, A/m: 2K/(mu0 Ms) + Ms (N_across - N_along). */
export function hardAxisSaturationField(m: MagnetParams): number {
  const { along, across } = demagFactors(m);
  return (2 * m.anisotropy) / (MU0 * m.saturationMagnetization) + m.saturationMagnetization * (across - along);
}

/**
 * Voltage across the ME capacitor that saturates the magnet: the ME effect gives a field
 * B = alpha_ME * E with E = V / t_ME, so V = mu0 H_sat t_ME / alpha_ME.
 */
export function saturationVoltage(m: MagnetParams, meCoefficient: number, meThickness: number): number {
  return (MU0 * hardAxisSaturationField(m) * meThickness) / meCoefficient;
}

/**
 * Stiffness of the hard-axis magnetization, J/m^3: K_eff = mu0 Ms H_sat / 2, crystalline
 * anisotropy plus the shape anisotropy of the elongated magnet (the same stiffness that sets
 * the saturation field).
 */
export const hardAxisAnisotropy = (m: MagnetParams): number => (MU0 * m.saturationMagnetization * hardAxisSaturationField(m)) / 2;

/**
 * Spread of the hard-axis magnetization x (the stored state) from thermal agitation. Its
 * energy is E(x) = V (K_eff x^2 - mu0 Ms H x), a parabola of curvature 2 K_eff V about the
 * state the field sets, so equipartition gives <dx^2> = kT / (2 K_eff V). For a magnet with
 * no shape anisotropy (a cube) K_eff = K and sigma = 1 / sqrt(2 Delta). Smaller magnets are
 * less stiff and noisier (seed 000, Fig. 4).
 */
export const thermalSpread = (m: MagnetParams): number => Math.sqrt((KB * m.temperature) / (2 * hardAxisAnisotropy(m) * volume(m)));
