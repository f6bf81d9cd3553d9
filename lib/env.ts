import { z } from "zod";

// The only reader of process.env. Parsed once, on first use, so scripts that never touch a
// variable do not fail for lack of it.
const ZEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgresql:// URL"),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z.string().url().optional(),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  TOLLGATE_ROOT_USERNAME: z.string().optional(),
  TOLLGATE_ROOT_PASSWORD: z.string().optional(),
  /**
   * comma-separated IPs/CIDRs of the reverse proxies whose X-Forwarded-For is believed. None by
   * default: a loopback default let any local process (or a proxy that passes the header through)
   * name its own address for key allow-lists and login limits. Operators behind a proxy opt in.
   */
  TRUSTED_PROXIES: z.string().default(""),
  /** a relay request body larger than this is refused with 413 */
  RELAY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  RESEND_API_KEY: z.string().optional(),
  RESEND_BASE_URL: z.string().url().optional(),
  /** "true": notifications may go to loopback and private addresses (self-hosted receivers, tests); link-local and metadata never */
  TOLLGATE_ALLOW_PRIVATE_NOTIFY_TARGETS: z.enum(["true", "false", "1", "0"]).optional(),
  GITHUB_CLIENT_ID: z.string().optional(),
  GITHUB_CLIENT_SECRET: z.string().optional(),
  /** run the background workers (sweeper, notification outbox) in this process */
  TOLLGATE_WORKERS: z.enum(["on", "off"]).default("on"),
});

export type Env = z.infer<typeof ZEnv>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    // an empty variable (REDIS_URL= in a shell or .env file) means "not set"
    const vars = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ""));
    const parsed = ZEnv.safeParse(vars);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`Invalid environment: ${issues}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** tests only: re-read process.env on the next call */
export function resetEnvCache(): void {
  cached = undefined;
}

/** "nodejs" inside Next's server (Next sets it); undefined in scripts and tests */
export function nextRuntime(): string | undefined {
  return process.env.NEXT_RUNTIME || undefined;
}
