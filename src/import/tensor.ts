import { int64, type OnnxTensor } from './onnx-model.js';

/** ONNX TensorProto.DataType codes spinarch reads. */
const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const UINT16 = 4;
const INT16 = 5;
const INT32 = 6;
const INT64 = 7;
const BOOL = 9;
const FLOAT16 = 10;
const DOUBLE = 11;
const UINT32 = 12;
const UINT64 = 13;

const NAMES: Record<number, string> = { 0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16', 21: 'UINT4', 22: 'INT4' };
export const dataTypeName = (t: number): string => NAMES[t] ?? `type ${t}`;

/** Bits of an integer element type (a quantized tensor's width), undefined for the others. */
export function integerBits(t: number): number | undefined {
  return ({ [UINT8]: 8, [INT8]: 8, [UINT16]: 16, [INT16]: 16, [INT32]: 32, [UINT32]: 32, 21: 4, 22: 4 } as Record<number, number>)[t];
}

/** A tensor's values as doubles, with its dimensions. */
export interface Tensor {
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly values: Float64Array;
}

/** IEEE half precision to double (FLOAT16 weights are read, not refused). */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** The element size in raw_data, and how to read one element at a byte offset (little-endian, as ONNX stores it). */
function rawReader(t: number): { size: number; read: (v: DataView, at: number) => number } | undefined {
  switch (t) {
    case FLOAT: return { size: 4, read: (v, at) => v.getFloat32(at, true) };
    case DOUBLE: return { size: 8, read: (v, at) => v.getFloat64(at, true) };
    case FLOAT16: return { size: 2, read: (v, at) => half(v.getUint16(at, true)) };
    case UINT8: return { size: 1, read: (v, at) => v.getUint8(at) };
    case INT8: return { size: 1, read: (v, at) => v.getInt8(at) };
    case BOOL: return { size: 1, read: (v, at) => v.getUint8(at) };
    case UINT16: return { size: 2, read: (v, at) => v.getUint16(at, true) };
    case INT16: return { size: 2, read: (v, at) => v.getInt16(at, true) };
    case INT32: return { size: 4, read: (v, at) => v.getInt32(at, true) };
    case UINT32: return { size: 4, read: (v, at) => v.getUint32(at, true) };
    case INT64: return { size: 8, read: (v, at) => Number(v.getBigInt64(at, true)) };
    case UINT64: return { size: 8, read: (v, at) => Number(v.getBigUint64(at, true)) };
    default: return undefined;
  }
}

/**
 * The values of an initializer or a Constant: from raw_data (little-endian) or from the typed
 * field its type is stored in (float_data, int32_data, int64_data, double_data, uint64_data).
 * Throws an Error saying why (the caller names the tensor and the file).
 */
export function tensorValues(t: OnnxTensor): Tensor {
  const dims = (t.dims ?? []).map(int64);
  const dataType = t.dataType ?? 0;
  const count = dims.reduce((a, b) => a * b, 1);
  if (t.dataLocation === 1) throw new Error('its data is stored outside the model file (external data), which spinarch does not read: save the model with its weights inside');
  let values: Float64Array;
  const raw = t.rawData;
  if (raw !== undefined && raw.length > 0) {
    const reader = rawReader(dataType);
    if (reader === undefined) throw new Error(`its element type ${dataTypeName(dataType)} is not a number type spinarch reads`);
    if (raw.length !== count * reader.size) throw new Error(`raw_data has ${raw.length} bytes, its shape [${dims.join(', ')}] of ${dataTypeName(dataType)} needs ${count * reader.size}`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    values = new Float64Array(count);
    for (let i = 0; i < count; i++) values[i] = reader.read(view, i * reader.size);
  } else {
    const typed: readonly number[] | undefined =
      dataType === FLOAT ? t.floatData
      : dataType === DOUBLE ? t.doubleData
      : dataType === INT64 ? t.int64Data?.map(int64)
      : dataType === UINT32 || dataType === UINT64 ? t.uint64Data?.map(int64)
      : dataType === FLOAT16 ? t.int32Data?.map(half)
      : [INT32, INT16, INT8, UINT16, UINT8, BOOL].includes(dataType) ? t.int32Data
      : undefined;
    if (typed === undefined) throw new Error(`its element type ${dataTypeName(dataType)} is not a number type spinarch reads`);
    if (typed.length !== count) throw new Error(`it holds ${typed.length} values, its shape [${dims.join(', ')}] needs ${count}`);
    values = Float64Array.from(typed);
  }
  return { dims, dataType, values };
}
