/** A plain mapping (not null, not a list): what YAML and JSON mappings parse to. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
