import path from "node:path";
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Tollgate's own rule: a module that reaches the database is server code and says so, so that a
// client component importing it fails the build instead of shipping the database to a browser.
const DB_MODULE = path.join(import.meta.dirname, "lib", "db");
/** "@/lib/db", "./db", "../../lib/db", "@/lib/db.ts", ...: every specifier that names lib/db.ts */
function isDbModule(specifier, filename) {
  const bare = specifier.replace(/\.(ts|js)$/, "");
  if (bare.startsWith("@/")) return path.join(import.meta.dirname, bare.slice(2)) === DB_MODULE;
  if (bare.startsWith(".")) return path.resolve(path.dirname(filename), bare) === DB_MODULE;
  return false;
}

const serverOnlyWithDb = {
  meta: { type: "problem", docs: { description: 'a module importing lib/db imports "server-only"' }, schema: [] },
  create(context) {
    let serverOnly = false;
    let dbImport = null;
    return {
      ImportDeclaration(node) {
        if (node.source.value === "server-only") serverOnly = true;
        if (node.importKind !== "type" && isDbModule(node.source.value, context.filename)) dbImport ??= node;
      },
      "Program:exit"() {
        if (dbImport && !serverOnly)
          context.report({ node: dbImport, message: 'This module imports the database: add `import "server-only";`.' });
      },
    };
  },
};

const TESTS = ["**/*.test.ts", "**/*.int.test.ts", "tests/**", "e2e/**"];

const NO_TEST_SUPPORT = {
  group: ["@/e2e/*", "@/tests/*", "@/scripts/*", "**/e2e/**", "**/tests/**"],
  message: "Test support and scripts are not part of the app.",
};
const NO_NEXT = { group: ["next", "next/*"], message: "lib/ is framework-free: mount it from app/ instead." };
const NO_RELAY = {
  group: ["@/lib/relay", "@/lib/relay/*", "../relay", "../relay/*"],
  message: "Only the server (lib/server) and app/v1 mount the relay: lower layers do not import it.",
};
const FEATURE_DOMAINS = [
  "@/lib/relay/*",
  "@/lib/server/*",
  "@/lib/settlement/*",
  "@/lib/keys/*",
  "@/lib/channels/*",
  "@/lib/users/*",
  "@/lib/redemption/*",
  "@/lib/auth/*",
  "@/lib/http/*",
  "@/lib/invite/*",
  "@/lib/logs/*",
  "@/lib/notifications/*",
  "@/lib/overview/*",
  "@/lib/i18n",
  "@/lib/i18n/*",
  "@/lib/actions",
  "@/lib/workers",
];
const NO_FEATURE_DOMAIN = {
  group: FEATURE_DOMAINS,
  message: "The billing core and its infrastructure import no feature domain.",
};
// options and the cache write their own rows of the admin audit trail (a leaf module over the
// database); the billing core leaves even that to its callers (adjustUserQuota's inTransaction)
const NO_FEATURE_DOMAIN_NOR_AUDIT = {
  group: [...FEATURE_DOMAINS, "@/lib/audit/*"],
  message: "The billing core imports no feature domain: let the caller write its audit row (inTransaction).",
};

// eslint-config-next 16 exports flat-config arrays (CommonJS `module.exports = [...]`).
const eslintConfig = defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["warn", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // the app reads its environment once, validated, in lib/env.ts
    files: ["app/**", "lib/**", "components/**"],
    ignores: ["lib/env.ts", ...TESTS],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: "Read the environment through lib/env.ts.",
        },
      ],
    },
  },
  // Import restrictions, from the widest to the narrowest. ESLint replaces (does not merge) a rule
  // that several blocks set for one file, so each block repeats the patterns of the wider ones.
  {
    // test helpers (the mock upstream, the seeders) and scripts stay out of the app
    files: ["app/**", "components/**", "lib/auth/**", "lib/i18n/server.ts", "lib/actions.ts", "lib/**/actions.ts"],
    ignores: TESTS,
    rules: { "no-restricted-imports": ["error", { patterns: [NO_TEST_SUPPORT] }] },
  },
  {
    // imports point down: the relay may use keys, quota and http; none of them (nor any other
    // module of lib/ but the server that mounts it) uses the relay. Server actions, the session
    // layer (lib/auth) and the server-side i18n may touch next/*
    files: ["lib/auth/**", "lib/i18n/server.ts", "lib/actions.ts", "lib/**/actions.ts"],
    ignores: [...TESTS, "lib/relay/**", "lib/server/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_TEST_SUPPORT, NO_RELAY] }] },
  },
  {
    // the domains run outside Next too (a plain Node server, the CLI, the tests)
    files: ["lib/**"],
    ignores: [
      ...TESTS,
      "lib/relay/**",
      "lib/server/**",
      "lib/auth/**",
      "lib/i18n/server.ts",
      "lib/actions.ts",
      "lib/**/actions.ts",
    ],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_TEST_SUPPORT, NO_NEXT, NO_RELAY] }] },
  },
  {
    // the relay and the server that mounts it: framework-free too
    files: ["lib/relay/**", "lib/server/**"],
    ignores: TESTS,
    rules: { "no-restricted-imports": ["error", { patterns: [NO_TEST_SUPPORT, NO_NEXT] }] },
  },
  {
    // the billing core's infrastructure uses no feature domain
    files: ["lib/options/**", "lib/cache/**"],
    ignores: [...TESTS, "lib/**/actions.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [NO_TEST_SUPPORT, NO_NEXT, NO_RELAY, NO_FEATURE_DOMAIN] }],
    },
  },
  {
    // the billing core uses no feature domain, not even the audit trail
    files: ["lib/quota/**"],
    ignores: TESTS,
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [NO_TEST_SUPPORT, NO_NEXT, NO_RELAY, NO_FEATURE_DOMAIN_NOR_AUDIT] },
      ],
    },
  },
  {
    files: ["app/**", "lib/**", "components/**", "scripts/**/*.ts"],
    plugins: { tollgate: { rules: { "server-only-with-db": serverOnlyWithDb } } },
    rules: {
      "tollgate/server-only-with-db": "error",
      "import/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    files: TESTS,
    rules: { "tollgate/server-only-with-db": "off" },
  },
  {
    // Playwright fixtures call a parameter named `use`, which is not React's
    files: ["e2e/**", "playwright.config.ts"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  globalIgnores([
    ".next/**",
    "out/**",
    "build/**",
    "next-env.d.ts",
    "node_modules/**",
    "prisma/generated/**",
    ".data/**",
    "test-results/**",
    "playwright-report/**",
  ]),
]);

export default eslintConfig;
