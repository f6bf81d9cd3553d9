import "server-only";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { getSessionUserOrThrow, type SessionUser } from "@/lib/auth";
import { AppError, validationError } from "@/lib/errors";
import { ROLE } from "@/lib/users/schemas";
import { errorResponse, ok } from "./respond";

// Wrappers for the JSON route handlers under /api (not /v1, which speaks OpenAI's error shape):
//   export const GET = withSession(async ({ user, params }) => listKeys(db, user.id));
//   export const POST = withAdmin(async ({ req }) => createChannel(db, await parseJsonBody(req, ZCreateChannel)));
// A handler returns a Response (sent as is) or data (sent as { success: true, message: "", data }).
// Every thrown AppError becomes { success: false, code, message } with its status.

type Params = Record<string, string | string[] | undefined>;
/** what Next passes as the second argument of a route handler */
export type RouteContext<P extends Params = Params> = { params: Promise<P> };

export type ApiContext<P extends Params> = { req: Request; params: P };
export type SessionContext<P extends Params> = ApiContext<P> & { user: SessionUser };

function handle<P extends Params>(fn: (req: Request, params: P) => Promise<unknown>) {
  return async (req: Request, ctx: RouteContext<P>): Promise<Response> => {
    try {
      const result = await fn(req, ((await ctx?.params) ?? {}) as P);
      return result instanceof Response ? result : ok(result);
    } catch (e) {
      unstable_rethrow(e);
      return errorResponse(e);
    }
  };
}

/** no session needed: error mapping and the response envelope only */
export function withApi<P extends Params = Params>(fn: (ctx: ApiContext<P>) => Promise<unknown>) {
  return handle<P>((req, params) => fn({ req, params }));
}

function withRole<P extends Params>(minRole: number, fn: (ctx: SessionContext<P>) => Promise<unknown>) {
  return handle<P>(async (req, params) => fn({ req, params, user: await getSessionUserOrThrow(minRole) }));
}

/** a signed-in, enabled user (401 unauthenticated otherwise) */
export function withSession<P extends Params = Params>(fn: (ctx: SessionContext<P>) => Promise<unknown>) {
  return withRole<P>(ROLE.user, fn);
}

/** role ≥ 10 (401 when signed out, 403 forbidden for other users) */
export function withAdmin<P extends Params = Params>(fn: (ctx: SessionContext<P>) => Promise<unknown>) {
  return withRole<P>(ROLE.admin, fn);
}

/** role 100 */
export function withRoot<P extends Params = Params>(fn: (ctx: SessionContext<P>) => Promise<unknown>) {
  return withRole<P>(ROLE.root, fn);
}

const MAX_JSON_BYTES = 1024 * 1024;

/**
 * Reads and validates a JSON body. Only `application/json` is accepted: a cross-site HTML form
 * cannot send it without a CORS preflight, which keeps cookie-authenticated routes safe from CSRF.
 */
export async function parseJsonBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError("unsupported_media_type", "Content-Type must be application/json", 415);
  }
  if (Number(req.headers.get("content-length") ?? 0) > MAX_JSON_BYTES) {
    throw new AppError("payload_too_large", "Request body is too large", 413);
  }
  const text = await req.text();
  if (text.length > MAX_JSON_BYTES) throw new AppError("payload_too_large", "Request body is too large", 413);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "Request body is not valid JSON", 400);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error.issues);
  return parsed.data;
}

/** Validates the query string (every value a string; repeated names become arrays). */
export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = new URL(req.url).searchParams;
  const raw: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    raw[key] = all.length === 1 ? all[0] : all;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error.issues);
  return parsed.data;
}
