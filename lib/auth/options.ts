import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/lib/env";
import { clientIp } from "@/lib/http/client-ip";
import { revokeSessions } from "@/lib/users/service";
import { isLoginError } from "./errors";
import { safeNextPath } from "./next-path";
import { authorizeCredentials } from "./login";

/** used only when NODE_ENV !== "production" and NEXTAUTH_SECRET is unset (dev server, tests) */
const DEV_SECRET = "tollgate-dev-secret-do-not-use-in-production";

function authSecret(): string {
  const { NEXTAUTH_SECRET, NODE_ENV } = env();
  if (NEXTAUTH_SECRET) return NEXTAUTH_SECRET;
  if (NODE_ENV !== "production") return DEV_SECRET;
  throw new Error("NEXTAUTH_SECRET must be set in production");
}

const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
  // a getter: next build imports this module without a secret in the environment
  get secret() {
    return authSecret();
  },
  pages: { signIn: "/login", error: "/login" },
  providers: [
    CredentialsProvider({
      id: "credentials",
      name: "Username",
      credentials: {
        username: { label: "Username", type: "text" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, req) {
        try {
          const ip = clientIp(req.headers ?? {});
          const user = await authorizeCredentials(
            { username: credentials?.username, password: credentials?.password },
            ip,
          );
          return { id: String(user.id), name: user.username, authVersion: user.authVersion };
        } catch (e) {
          if (isLoginError(e)) throw e;
          console.error("sign-in failed", e);
          throw new Error("error");
        }
      },
    }),
  ],
  events: {
    // A JWT cannot be deleted: signing out bumps auth_version, so the cookie (and any copy of it)
    // stops working on the server, not only in this browser. That ends the user's other sessions
    // too; a cookie already revoked changes nothing.
    async signOut({ token }) {
      const uid = token?.uid;
      const av = token?.av;
      if (typeof uid === "number" && Number.isSafeInteger(uid) && typeof av === "number") {
        await revokeSessions(uid, av).catch((e) => console.error("sign-out: could not revoke the session", e));
      }
    },
  },
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = Number(user.id);
        token.av = user.authVersion;
      }
      return token;
    },
    session({ session, token }) {
      session.uid = token.uid;
      session.av = token.av;
      return session;
    },
    // only same-origin redirects after sign-in and sign-out (callbackUrl)
    redirect({ url, baseUrl }) {
      return `${baseUrl}${safeNextPath(url, baseUrl, "/")}`;
    },
  },
};
