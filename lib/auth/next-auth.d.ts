import "next-auth";
import "next-auth/jwt";

// What Tollgate keeps in the JWT and hands to the session: the user id and the auth_version the
// token was issued for (bumping users.auth_version signs every session of that user out).
declare module "next-auth" {
  interface User {
    id: string;
    /** set by the credentials provider; another provider (OAuth) must load it from users.auth_version */
    authVersion?: number;
  }
  interface Session {
    uid?: number;
    av?: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: number;
    av?: number;
  }
}
