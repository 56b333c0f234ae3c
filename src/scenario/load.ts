import path from 'node:path';
import { freeze, produce } from 'immer';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { z } from 'zod';
import { SHOWN_ISSUES, ScenarioError, pathString, type Location, type ScenarioIssue } from './errors.js';
import { FileReadError, TEXT_FILE_LIMIT, readBoundedFile } from './files.js';
import { forbiddenKeyMessage, isForbiddenKey } from './keys.js';
import { knownKeysAt, suggest } from './schema-walk.js';
import { article } from './units.js';
import { isRecord } from './is-record.js';

export type Key = string | number;
type Path = readonly Key[];

/** Where each key of a scenario was written, by its path string. */
type Sources = ReadonlyMap<string, { readonly path: Path; readonly location: Location }>;

/**
 * A scenario before validation: the merged data of the file and everything it extends,
 * with overrides applied, and where each value came from. Immutable: each override makes
 * a new one (immer), so one base can be varied many times without variants leaking.
 */
export interface RawScenario {
  /** The file the user named. */
  readonly file: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly sources: Sources;
}

/** Shows a file name relative to the working directory, as a user would type it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Reads a scenario file and the chain of files it extends. Throws ScenarioError. */
export function readScenario(file: string): RawScenario {
  return read(path.resolve(file), []);
}

/** What kind of file a YAML file is, for its messages. */
export interface YamlFileKind {
  /** 'scenario', 'sweep file' */
  readonly what: string;
  /** The top-level keys it expects, for the message when it is not a mapping. */
  readonly keys: string;
  /** Where it was named (the `extends` of another file), for a file that cannot be read. */
  readonly namedAt?: Location;
}

/**
 * Reads a YAML mapping with where each key was written: bounded, one document, no duplicate
 * or prototype keys, aliases bounded. Throws ScenarioError at file, line and column.
 */
export function parseYamlFile(absolute: string, kind: YamlFileKind): { data: Record<string, unknown>; sources: Map<string, { path: Path; location: Location }> } {
  const shown = displayPath(absolute);
  const namedAt = kind.namedAt;
  let text: string;
  try {
    text = readBoundedFile(absolute, TEXT_FILE_LIMIT, kind.what).toString('utf8');
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    // A file named by `extends` is reported where it is named.
    throw new ScenarioError([
      namedAt === undefined
        ? { location: { file: shown }, path: '', message: `cannot read ${kind.what}: ${error.reason}` }
        : { location: namedAt, path: 'extends', message: `cannot read the ${kind.what} it extends, ${shown}: ${error.reason}` },
    ]);
  }
  const lines = new LineCounter();
  // Duplicate keys are found while collecting sources (the parser's own check is quadratic).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return { location: { file: shown, line: at.line, column: at.col }, path: '', message: `YAML: ${e.message.split('\n')[0] ?? e.code}` };
      }),
    );
  }
  const sources = new Map<string, { path: Path; location: Location }>();
  sources.set('', { path: [], location: { file: shown } });
  const forbidden: ScenarioIssue[] = [];
  collectSources(
    doc.contents,
    [],
    (offset) => {
      const at = lines.linePos(offset);
      return { file: shown, line: at.line, column: at.col };
    },
    sources,
    forbidden,
  );
  if (forbidden.length > 0) throw new ScenarioError(forbidden);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The parser stops alias bombs (billion laughs) before they grow; say so against the file.
    throw new ScenarioError([{ location: { file: shown }, path: '', message: `YAML: ${(error as Error).message} (too many aliases, or aliases that expand without bound)` }]);
  }
  if (!isRecord(data)) {
    throw new ScenarioError([{ location: { file: shown, line: 1 }, path: '', message: `${article(kind.what)} must be a mapping of keys (${kind.keys})` }]);
  }
  return { data, sources };
}

/** Where a scenario file was named: the command line, or the `extends` key of another file. */
function read(absolute: string, chain: readonly string[], namedAt?: Location): RawScenario {
  const shown = displayPath(absolute);
  if (chain.includes(absolute)) {
    throw new ScenarioError([{ location: namedAt ?? { file: shown }, path: 'extends', message: `extends cycle: ${[...chain, absolute].map(displayPath).join(' -> ')}` }]);
  }
  const { data, sources } = parseYamlFile(absolute, { what: 'scenario', keys: 'design, network, params, ...', ...(namedAt === undefined ? {} : { namedAt }) });
  const parent = data['extends'];
  if (parent === undefined) return { file: shown, data: freeze(data, true), sources };
  if (typeof parent !== 'string' || parent.trim() === '') {
    throw new ScenarioError([{ location: sources.get('extends')!.location, path: 'extends', message: 'extends must name a scenario file, like base.yaml' }]);
  }
  const base = read(path.resolve(path.dirname(absolute), parent), [...chain, absolute], sources.get('extends')!.location);
  const own = { ...data };
  delete own['extends'];
  sources.delete('extends');
  const merged = mergeData(base.data, own);
  if (!isRecord(merged)) throw new Error('unreachable: merging two mappings gives a mapping');
  return { file: shown, data: freeze(merged, true), sources: mergeSources(base.sources, sources, own) };
}

/**
 * Records where every key was written. A key that would reach the object prototype, or a
 * key given twice in one mapping, is an issue (a Set per mapping: linear in the keys).
 */
function collectSources(node: unknown, at: Path, locate: (offset: number) => Location, out: Map<string, { path: Path; location: Location }>, problems: ScenarioIssue[]): void {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const p = [...at, key];
      const keyNode = pair.key as { range?: [number, number, number] } | null;
      const offset = keyNode?.range?.[0];
      const location = offset === undefined ? undefined : locate(offset);
      if (isForbiddenKey(key)) {
        problems.push({ location: location ?? locate(0), path: pathString(p), message: forbiddenKeyMessage(key) });
        continue;
      }
      if (seen.has(key)) {
        problems.push({ location: location ?? locate(0), path: pathString(p), message: `YAML: map keys must be unique: '${key}' is given twice` });
        continue;
      }
      seen.add(key);
      if (location !== undefined) out.set(pathString(p), { path: p, location });
      collectSources(pair.value, p, locate, out, problems);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const p = [...at, i];
      const offset = (item as { range?: [number, number, number] } | null)?.range?.[0];
      if (offset !== undefined) out.set(pathString(p), { path: p, location: locate(offset) });
      collectSources(item, p, locate, out, problems);
    });
  }
}

/** Mappings merge key by key; anything else (numbers, strings, lists) replaces. */
function mergeData(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = Object.hasOwn(base, k) ? mergeData(base[k], v) : v;
  return out;
}

/** True if `over` replaces (rather than merges into) the value at `p`. */
function replaces(over: unknown, p: Path): boolean {
  let node = over;
  for (const seg of p) {
    if (!isRecord(node)) return true;
    if (!Object.hasOwn(node, String(seg))) return false;
    node = node[String(seg)];
  }
  return !isRecord(node);
}

function mergeSources(base: Sources, own: Sources, ownData: Record<string, unknown>): Sources {
  const out = new Map<string, { path: Path; location: Location }>();
  for (const [k, v] of base) if (v.path.length === 0 || !replaces(ownData, v.path)) out.set(k, v);
  for (const [k, v] of own) if (v.path.length > 0 || !out.has(k)) out.set(k, v);
  return out;
}

const KEY_PATH_SOURCE = String.raw`[A-Za-z_][\w-]*(?:\[\d+\]|\.\d+|\.[A-Za-z_][\w-]*)*`;
const KEY_PATH = new RegExp(`^${KEY_PATH_SOURCE}$`);
const SET = new RegExp(`^(${KEY_PATH_SOURCE})=(.*)$`, 's');

/** Splits `params.fm_length=30 nm` into its path and YAML-parsed value. */
export function parseSet(text: string): { path: Key[]; value: unknown } {
  const m = SET.exec(text);
  if (m === null) {
    throw new ScenarioError([{ location: { file: `--set ${text}` }, path: '', message: "expected --set path.to.key=value, like --set params.irmen.fm_length='30 nm' or --set seed=7" }]);
  }
  const keyPath = parseKeyPath(m[1]!)!;
  const bad = keyPath.findIndex((seg) => typeof seg === 'string' && isForbiddenKey(seg));
  if (bad >= 0) throw new ScenarioError([{ location: { file: `--set ${text}` }, path: pathString(keyPath.slice(0, bad + 1)), message: forbiddenKeyMessage(String(keyPath[bad])) }]);
  const location: Location = { file: `--set ${text}` };
  const doc = parseDocument(m[2]!, { uniqueKeys: false });
  const forbidden: ScenarioIssue[] = [];
  collectSources(doc.contents, keyPath, () => location, new Map(), forbidden);
  if (forbidden.length > 0) throw new ScenarioError(forbidden);
  let value: unknown;
  try {
    value = doc.errors.length > 0 ? m[2] : doc.toJS({ maxAliasCount: 100 });
  } catch {
    value = m[2];
  }
  return { path: keyPath, value };
}

/** Applies `--set` overrides; returns a new scenario and leaves `raw` as it was. */
export function applySets(raw: RawScenario, sets: readonly string[]): RawScenario {
  let result = raw;
  for (const text of sets) {
    const { path: keyPath, value } = parseSet(text);
    result = applyOverride(result, keyPath, value, { file: `--set ${text}` });
  }
  return result;
}

/**
 * Sets the value at `keyPath` (creating mappings on the way), recording `location` as where
 * it came from (a --set, or the line of a sweep file's axis); a new scenario, `raw` untouched.
 */
export function applyOverride(raw: RawScenario, keyPath: readonly Key[], value: unknown, location: Location): RawScenario {
  for (const seg of keyPath) {
    if (typeof seg === 'string' && isForbiddenKey(seg)) throw new ScenarioError([{ location, path: pathString(keyPath), message: forbiddenKeyMessage(seg) }]);
  }
  const data = produce(raw.data, (draft: Record<string, unknown>) => {
    let node: unknown = draft;
    for (let i = 0; i < keyPath.length - 1; i++) {
      const seg = keyPath[i]!;
      const container = node as Record<string, unknown> & unknown[];
      let child: unknown = typeof seg === 'number' ? (Array.isArray(node) ? container[seg] : undefined) : isRecord(node) ? container[seg] : undefined;
      if (child === undefined) {
        if (typeof seg === 'number' || !isRecord(node)) {
          throw new ScenarioError([{ location, path: pathString(keyPath.slice(0, i + 1)), message: 'no such entry to set into' }]);
        }
        child = typeof keyPath[i + 1] === 'number' ? [] : {};
        container[seg] = child;
      }
      if (typeof child !== 'object' || child === null) {
        throw new ScenarioError([{ location, path: pathString(keyPath.slice(0, i + 1)), message: `is ${JSON.stringify(child)}, not a mapping or list to set a key in` }]);
      }
      node = child;
    }
    const last = keyPath[keyPath.length - 1]!;
    if (typeof last === 'number') {
      if (!Array.isArray(node) || last > node.length) {
        throw new ScenarioError([{ location, path: pathString(keyPath), message: 'index is past the end of the list' }]);
      }
      node[last] = value;
    } else {
      if (!isRecord(node)) throw new ScenarioError([{ location, path: pathString(keyPath), message: 'parent is not a mapping' }]);
      node[last] = value;
    }
  });
  const sources = new Map(raw.sources);
  for (const [k, v] of sources) {
    if (v.path.length >= keyPath.length && keyPath.every((seg, i) => String(v.path[i]) === String(seg))) sources.delete(k);
  }
  sources.set(pathString(keyPath), { path: keyPath, location });
  return { file: raw.file, data, sources };
}

/** Splits a written key path (`params.irmen.fm_length`, `network.layers[2].kernel`) into segments. */
export function parseKeyPath(text: string): Key[] | undefined {
  if (!KEY_PATH.test(text)) return undefined;
  const keyPath: Key[] = [];
  for (const part of text.matchAll(/([A-Za-z_][\w-]*)|\[(\d+)\]|\.(\d+)(?=\.|\[|$)/g)) keyPath.push(part[1] ?? Number(part[2] ?? part[3]));
  return keyPath;
}

/** Where the value at `p` (or its nearest written ancestor) came from. */
export function locate(raw: RawScenario, p: readonly PropertyKey[]): Location {
  for (let n = p.length; n >= 0; n--) {
    const found = raw.sources.get(pathString(p.slice(0, n)));
    if (found !== undefined) return found.location;
  }
  return { file: raw.file };
}

function valueAt(data: unknown, p: readonly PropertyKey[]): unknown {
  let node = data;
  for (const seg of p) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[String(seg)];
  }
  return node;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string '${v}'`;
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN (not a number)';
  return `${typeof v} ${String(v)}`;
}

/** Turns zod's issues into located, readable ones. */
function toIssues(raw: RawScenario, schema: z.ZodType, issues: readonly z.core.$ZodIssue[]): ScenarioIssue[] {
  const out: ScenarioIssue[] = [];
  for (const issue of issues) {
    const p = issue.path;
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, raw.data, p);
      for (const key of issue.keys) {
        // Only the issues that will be shown get a "did you mean" (it costs an edit distance per known key).
        const hint = known === undefined || out.length >= SHOWN_ISSUES ? '' : suggest(key, known);
        out.push({ location: locate(raw, [...p, key]), path: pathString([...p, key]), message: `unknown key '${key}'${hint}` });
      }
      continue;
    }
    const input = valueAt(raw.data, p);
    let message = issue.message;
    if (issue.code === 'invalid_union' && 'discriminator' in issue && typeof issue.discriminator === 'string') {
      const options = ('options' in issue && Array.isArray(issue.options) ? issue.options : []).map(String);
      message =
        input === undefined
          ? `required: one of ${options.join(', ')}`
          : `unknown ${issue.discriminator} ${typeof input === 'string' ? `'${input}'` : describe(input)}: expected one of ${options.join(', ')}${typeof input === 'string' ? suggest(input, options) : ''}`;
    } else if (issue.code === 'invalid_type' && message.startsWith('Invalid input')) {
      // zod's own wording; fields with their own message (units) keep theirs.
      message = input === undefined ? `required key is missing (expected ${issue.expected})` : typeof input === 'number' && Number.isNaN(input) ? `expected a ${issue.expected}, got NaN (not a number)` : `expected ${issue.expected}, got ${describe(input)}`;
    } else if (issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'not_multiple_of') {
      message = `${message.replace(/^Too (small|big): expected number to be /, 'must be ')}, got ${describe(input)}`;
    }
    out.push({ location: locate(raw, p), path: pathString(p), message });
  }
  return out;
}

/** Validates against `schema`; returns the parsed, deeply frozen value or throws ScenarioError. */
export function validate<S extends z.ZodType>(raw: RawScenario, schema: S): z.output<S> {
  const result = schema.safeParse(raw.data);
  if (!result.success) throw new ScenarioError(toIssues(raw, schema, result.error.issues));
  return freeze(result.data, true);
}
