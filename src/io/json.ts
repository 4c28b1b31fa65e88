import { FileFormatError } from "./errors.js";

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object (what `model.json`'s `metadata` holds). */
export type JsonObject = { [key: string]: Json };

/** Keys that could reach an object's prototype if a careless reader copied them. */
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/**
 * JSON.parse that refuses keys able to pollute prototypes, at any depth, and
 * turns a syntax error into a FileFormatError naming the file.
 */
export function parseJson(text: string, file: string): Json {
  let bad: string | undefined;
  let value: Json;
  try {
    value = JSON.parse(text, (key, v: Json) => {
      if (FORBIDDEN.has(key)) bad ??= key;
      return v;
    }) as Json;
  } catch (e) {
    throw new FileFormatError(file, `is not valid JSON (${(e as Error).message})`);
  }
  if (bad !== undefined) throw new FileFormatError(file, `holds the forbidden JSON key "${bad}"`);
  return value;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
