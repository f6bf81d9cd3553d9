import { hasNul, NUL_MESSAGE } from "@/lib/text";
import { AppError } from "@/lib/errors";
import type { JsonObject } from "@/lib/http/body";

// Type checks of the fields the relay reads; the rest of the body is the upstream's business.

export function requireModel(body: JsonObject): string {
  const m = body.model;
  if (m === undefined || m === null || m === "") {
    throw new AppError("missing_model", "You must provide a model parameter", 400, undefined, "model");
  }
  if (typeof m !== "string") throw invalidType("model", "a string");
  if (m.length > 128)
    throw new AppError("invalid_value", "model must be at most 128 characters", 400, undefined, "model");
  // the model is stored with the reservation and the log
  if (hasNul(m)) throw new AppError("invalid_value", `model ${NUL_MESSAGE}`, 400, undefined, "model");
  return m;
}

export function optionalBoolean(body: JsonObject, name: string): boolean {
  const v = body[name];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw invalidType(name, "a boolean");
  return v;
}

export function optionalCount(body: JsonObject, name: string): number | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw invalidType(name, "a whole number ≥ 0");
  return v;
}

export function optionalObject(body: JsonObject, name: string): JsonObject | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "object" || Array.isArray(v)) throw invalidType(name, "an object");
  return v as JsonObject;
}

export function invalidType(param: string, expected: string): AppError {
  return new AppError("invalid_type", `${param} must be ${expected}`, 400, undefined, param);
}

export function missing(param: string): AppError {
  return new AppError("missing_required_parameter", `Missing required parameter: ${param}`, 400, undefined, param);
}
