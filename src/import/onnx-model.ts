import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { FileReadError, readBoundedFile } from '../scenario/files.js';
import { OnnxError } from './onnx-error.js';

/** ONNX models are read whole (weights inline in graph.initializer); larger files are refused before reading. */
export const ONNX_FILE_LIMIT = 256 * 1024 * 1024;

/** The decoded messages spinarch reads (the vendored subset, proto/onnx.proto), as plain objects. */
type Int64 = number;

export interface OnnxTensor {
  readonly name?: string;
  readonly dims?: readonly Int64[];
  readonly dataType?: number;
  readonly floatData?: readonly number[];
  readonly int32Data?: readonly number[];
  readonly int64Data?: readonly Int64[];
  readonly doubleData?: readonly number[];
  readonly uint64Data?: readonly Int64[];
  readonly rawData?: Uint8Array;
  readonly dataLocation?: number;
}

export interface OnnxAttribute {
  readonly name?: string;
  readonly type?: number;
  readonly f?: number;
  readonly i?: Int64;
  readonly s?: Uint8Array;
  readonly t?: OnnxTensor;
  readonly floats?: readonly number[];
  readonly ints?: readonly Int64[];
}

export interface OnnxNode {
  readonly input?: readonly string[];
  readonly output?: readonly string[];
  readonly name?: string;
  readonly opType?: string;
  readonly domain?: string;
  readonly attribute?: readonly OnnxAttribute[];
}

export interface OnnxValueInfo {
  readonly name?: string;
  readonly type?: { readonly tensorType?: { readonly elemType?: number; readonly shape?: { readonly dim?: readonly { readonly dimValue?: Int64; readonly dimParam?: string }[] } } };
}

export interface OnnxGraph {
  readonly node?: readonly OnnxNode[];
  readonly name?: string;
  readonly initializer?: readonly OnnxTensor[];
  readonly input?: readonly OnnxValueInfo[];
  readonly output?: readonly OnnxValueInfo[];
}

export interface OnnxModelProto {
  readonly irVersion?: Int64;
  readonly opsetImport?: readonly { readonly domain?: string; readonly version?: Int64 }[];
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  readonly graph?: OnnxGraph;
}

/** A model as read: its messages, the file's SHA-256 and the default-domain opset. */
export interface OnnxModel {
  readonly file: string;
  readonly proto: OnnxModelProto;
  readonly sha256: string;
  readonly opset: number;
  readonly irVersion: number;
  readonly producer: string;
}

export const int64 = (v: Int64 | undefined): number => v ?? 0;

/** The vendored schema: beside this file in src/, and (from dist/src/import/) back in the package's src/import/proto. */
function protoPath(): string {
  const candidates = ['./proto/onnx.proto', '../../../src/import/proto/onnx.proto'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`the ONNX schema is missing from the installation (looked for ${candidates.join(', ')})`);
  return found;
}

let modelType: protobuf.Type | undefined;
function modelMessage(): protobuf.Type {
  modelType ??= protobuf.loadSync(protoPath()).lookupType('onnx.ModelProto');
  return modelType;
}

/** Reads and decodes an ONNX file; an unreadable, truncated or non-ONNX file is an OnnxError. */
export function readOnnxModel(file: string): OnnxModel {
  let bytes: Buffer;
  try {
    bytes = readBoundedFile(file, ONNX_FILE_LIMIT, 'ONNX model');
  } catch (error) {
    if (error instanceof FileReadError) throw new OnnxError(file, `cannot read the ONNX model: ${error.reason}`);
    throw error;
  }
  return decodeOnnxModel(file, bytes);
}

/** Decodes an ONNX model's bytes (`file` names it in errors); a truncated or non-ONNX protobuf is an OnnxError. */
export function decodeOnnxModel(file: string, bytes: Uint8Array): OnnxModel {
  if (bytes.length === 0) throw new OnnxError(file, 'the file is empty, not an ONNX model');
  let proto: OnnxModelProto;
  try {
    const type = modelMessage();
    // Plain objects: absent fields absent, repeated ones as arrays, int64 as numbers (weights and shapes stay far below 2^53).
    proto = type.toObject(type.decode(bytes), { longs: Number, enums: Number, arrays: true }) as OnnxModelProto;
  } catch (error) {
    // protobufjs says "index out of range" for a message cut short, "invalid wire type" for other bytes.
    const why = (error as Error).message;
    const truncated = /index out of range/.test(why);
    throw new OnnxError(file, `${truncated ? 'the protobuf is truncated (the file ends inside a message)' : 'not an ONNX model (the bytes are not an ONNX protobuf)'}: ${why}`);
  }
  if (proto.graph === undefined || (proto.graph.node ?? []).length === 0) throw new OnnxError(file, 'not an ONNX model, or an empty one: it has no graph nodes');
  const onnx = (proto.opsetImport ?? []).find((o) => o.domain === undefined || o.domain === '' || o.domain === 'ai.onnx');
  return {
    file,
    proto,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    opset: onnx === undefined ? 0 : int64(onnx.version),
    irVersion: int64(proto.irVersion),
    producer: [proto.producerName, proto.producerVersion].filter((s) => s !== undefined && s !== '').join(' '),
  };
}
