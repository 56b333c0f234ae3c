/**
 * Keys that would reach JavaScript's object prototype when an object is built or merged from
 * them (prototype pollution). They are refused wherever a key comes from a user: scenario
 * files, --set paths, weights files.
 */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export const isForbiddenKey = (key: string): boolean => FORBIDDEN.has(key);

export const forbiddenKeyMessage = (key: string): string => `'${key}' cannot be a key: it names JavaScript's object prototype (choose another name)`;
