/**
 * CeNN stage programs. A stage applies one template to the planes a bank holds and writes
 * new planes into the other bank. Values are kept in the cells as normalized states in
 * [-1, 1]; an encoding maps a state to the value the network means (`scale * state +
 * offset`), so a ReLU stage can use the cell's saturated-linear transfer function and its
 * consumers fold the encoding into their weights and bias, as CeNN template design does.
 */

export interface PlaneShape {
  readonly maps: number;
  readonly h: number;
  readonly w: number;
}

export const planeSize = (s: PlaneShape): number => s.maps * s.h * s.w;

/** Meaning of a stored state: value = scale * state + offset. */
export interface Encoding {
  readonly scale: number;
  readonly offset: number;
}

export const IDENTITY: Encoding = { scale: 1, offset: 0 };

/** One input of an output cell: plane, map and offset of the neighbour it reads, and its weight. */
export interface TemplateTerm {
  readonly plane: string;
  readonly map: number;
  readonly dy: number;
  readonly dx: number;
  readonly weight: number;
}

/**
 * How a cell turns its summed input into a state. `linear`: the saturated-linear transfer
 * function itself (state = clip(u)). `relu`: the same function on 2u - 1, which gives
 * max(0, u) for u in [0, 1] under the encoding 0.5 * state + 0.5.
 */
export type Transfer = 'linear' | 'relu';

/** The ideal CeNN output function (Chua-Yang), which the IRMEN's M-H curve also follows. */
export const saturatedLinear = (x: number): number => (x > 1 ? 1 : x < -1 ? -1 : x);

export const TRANSFER_GAIN: Readonly<Record<Transfer, { gain: number; shift: number; encoding: Encoding }>> = {
  linear: { gain: 1, shift: 0, encoding: IDENTITY },
  relu: { gain: 2, shift: -1, encoding: { scale: 0.5, offset: 0.5 } },
};

/** One plane a stage writes: its shape, the stride at which it samples its inputs, and its template per map. */
export interface OutputPlane {
  readonly name: string;
  readonly shape: PlaneShape;
  /** Output cell (y, x) reads input cells at (y * stride + dy, x * stride + dx). */
  readonly stride: number;
  readonly transfer: Transfer;
  /** terms[k]: the template of output map k, in the logical (network) domain. */
  readonly terms: readonly (readonly TemplateTerm[])[];
  /** bias[k], logical domain. */
  readonly bias: readonly number[];
}

export type StepKind = 'conv' | 'relu' | 'pool-diff' | 'pool-rect' | 'pool-acc' | 'hold';

/** One CeNN stage of the program. */
export interface CennStep {
  readonly index: number;
  /** The network layer this stage belongs to. */
  readonly layer: number;
  readonly kind: StepKind;
  readonly label: string;
  /** Planes this stage reads, with their shapes and encodings. */
  readonly inputs: Readonly<Record<string, { readonly shape: PlaneShape; readonly encoding: Encoding }>>;
  readonly outputs: readonly OutputPlane[];
  /** Input maps the stage sums per output (a charge CeNN runs one pass per input map). */
  readonly inputMaps: number;
}

/** Encoding of an output plane. */
export const encodingOf = (p: OutputPlane): Encoding => TRANSFER_GAIN[p.transfer].encoding;

/** Plane values as they travel: shape, encoding and one state per cell (map-major, then rows). */
export interface PlaneData {
  readonly shape: PlaneShape;
  readonly encoding: Encoding;
  readonly values: Float64Array;
}

/** Planes whose cells take their new state from their summed inputs, through the saturated-linear transfer. */
export function settlePlanes(inputs: Iterable<readonly [string, PlaneData]>): Map<string, PlaneData> {
  const out = new Map<string, PlaneData>();
  for (const [name, p] of inputs) {
    const values = new Float64Array(p.values.length);
    for (let i = 0; i < values.length; i++) values[i] = saturatedLinear(p.values[i]!);
    out.set(name, { shape: p.shape, encoding: p.encoding, values });
  }
  return out;
}
