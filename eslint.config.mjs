import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Tollgate's own rule: a module that reaches the database is server code and says so, so that a
// client component importing it fails the build instead of shipping the database to a browser.
const serverOnlyWithDb = {
  meta: { type: "problem", docs: { description: 'a module importing "@/lib/db" imports "server-only"' }, schema: [] },
  create(context) {
    let serverOnly = false;
    let dbImport = null;
    return {
      ImportDeclaration(node) {
        if (node.source.value === "server-only") serverOnly = true;
        if (node.source.value === "@/lib/db" && node.importKind !== "type") dbImport ??= node;
      },
      "Program:exit"() {
        if (dbImport && !serverOnly)
          context.report({ node: dbImport, message: 'This module imports the database: add `import "server-only";`.' });
      },
    };
  },
};

const TESTS = ["**/*.test.ts", "**/*.int.test.ts", "tests/**", "e2e/**"];

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
  {
    // the domains run outside Next too (a plain Node server, the CLI, the tests): only server
    // actions (actions.ts), the session layer (lib/auth) and the server-side i18n touch next/*
    files: ["lib/**"],
    ignores: ["lib/auth/**", "lib/i18n/server.ts", "lib/actions.ts", "lib/**/actions.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["next", "next/*"], message: "lib/ is framework-free: mount it from app/ instead." }] },
      ],
    },
  },
  {
    // imports point down: the relay may use keys, quota and http; none of them uses the relay,
    // and the billing core uses no feature domain
    files: [
      "lib/keys/**",
      "lib/quota/**",
      "lib/http/**",
      "lib/settlement/**",
      "lib/channels/**",
      "lib/options/**",
      "lib/users/**",
      "lib/cache/**",
    ],
    ignores: [...TESTS, "lib/**/actions.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["next", "next/*"], message: "lib/ is framework-free: mount it from app/ instead." },
            { group: ["@/lib/relay", "@/lib/relay/*"], message: "Lower layers do not import the relay." },
          ],
        },
      ],
    },
  },
  {
    files: ["lib/quota/**", "lib/options/**", "lib/cache/**"],
    ignores: TESTS,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["next", "next/*"], message: "lib/ is framework-free: mount it from app/ instead." },
            {
              group: [
                "@/lib/relay/*",
                "@/lib/settlement/*",
                "@/lib/keys/*",
                "@/lib/channels/*",
                "@/lib/users/*",
                "@/lib/redemption/*",
                "@/lib/auth/*",
                "@/lib/http/*",
              ],
              message: "The billing core and its infrastructure import no feature domain.",
            },
          ],
        },
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
    ".next-bench/**",
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
