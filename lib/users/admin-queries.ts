import "server-only";
import { pgPool } from "@/lib/db";
import { getOptions } from "@/lib/options/service";
import { knownGroups } from "./groups";
import { grantableRoles, type Actor } from "./roles";
import { roleName, ZAdminUserListInput, type RoleName, type TAdminUserListInput, type UserSort } from "./schemas";

// The admin console's reads of users: a searchable, sortable list in keyset pages, one user, and
// the choices of the user forms. DTOs only (never the password hash or the session version).

export type AdminUserDTO = {
  id: number;
  username: string;
  displayName: string;
  email: string;
  role: RoleName;
  status: "enabled" | "disabled";
  group: string;
  remark: string;
  /** quota, decimal strings */
  quota: string;
  usedQuota: string;
  requestCount: string;
  affCount: number;
  createdAt: string;
  lastLoginAt: string | null;
};

type UserRow = {
  id: number;
  username: string;
  display_name: string;
  email: string;
  role: number;
  status: number;
  group: string;
  remark: string;
  quota: string;
  used_quota: string;
  request_count: string;
  aff_count: number;
  created_at: Date;
  last_login_at: Date | null;
};

const COLUMNS = `id, username, display_name, email, role, status, "group", remark, quota::text, used_quota::text,
  request_count::text, aff_count, created_at, last_login_at`;

function toDTO(r: UserRow): AdminUserDTO {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    email: r.email,
    role: roleName(r.role),
    status: r.status === 1 ? "enabled" : "disabled",
    group: r.group,
    remark: r.remark,
    quota: r.quota,
    usedQuota: r.used_quota,
    requestCount: r.request_count,
    affCount: r.aff_count,
    createdAt: r.created_at.toISOString(),
    lastLoginAt: r.last_login_at?.toISOString() ?? null,
  };
}

export async function getAdminUser(id: number): Promise<AdminUserDTO | null> {
  const { rows } = await pgPool().query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ? toDTO(rows[0]) : null;
}

/**
 * the column each sort reads; a user who never signed in sorts as the oldest login. Qualified by
 * the table: a bare "quota" in ORDER BY names the selected quota::text, which sorts as text
 * ("1000" before "20").
 */
const SORT_SQL: Record<UserSort, string> = {
  id: "users.id",
  quota: "users.quota",
  usedQuota: "users.used_quota",
  lastLogin: "COALESCE(last_login_at, 'epoch'::timestamptz)",
};

/** how many matches a list counts at most ("10000+") */
const USER_TOTAL_CAP = 10_000;

export type AdminUserPageDTO = {
  items: AdminUserDTO[];
  /** the cursor of the next page, null on the last */
  next: string | null;
  total: number;
  capped: boolean;
};

function sortValue(sort: UserSort, r: UserRow): string {
  if (sort === "id") return String(r.id);
  if (sort === "quota") return r.quota;
  if (sort === "usedQuota") return r.used_quota;
  return String(r.last_login_at?.getTime() ?? 0);
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * A page of users: search by id (exact), username, display name or email (contains, any case),
 * sorted by id, balance, used quota or last sign-in, each way, with the id as the tie-breaker.
 * Keyset pages: `after` is "<sort value>~<id>" of the last row shown, so a deep page costs what
 * the first does in rows read out. The sort itself is over the matching users: the users table is
 * small next to the logs (a sort of 10^5 rows takes milliseconds), so it has no index per sort.
 */
export async function listAdminUsers(input: TAdminUserListInput): Promise<AdminUserPageDTO> {
  const v = ZAdminUserListInput.parse(input);
  const params: unknown[] = [];
  const p = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  if (v.q) {
    const like = p(likePattern(v.q));
    const parts = [`username ILIKE ${like}`, `display_name ILIKE ${like}`, `email ILIKE ${like}`];
    if (/^\d{1,9}$/.test(v.q)) parts.unshift(`id = ${p(Number(v.q))}`);
    where.push(`(${parts.join(" OR ")})`);
  }
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const filterParams = params.length;
  const expr = SORT_SQL[v.sort];
  const dir = v.dir === "asc" ? "ASC" : "DESC";
  const keyset = [...where];
  const cursor = v.after?.match(/^(-?\d{1,20})~(\d{1,10})$/);
  if (cursor) {
    const value =
      v.sort === "lastLogin" ? p(new Date(Number(cursor[1]))) : v.sort === "id" ? p(Number(cursor[1])) : p(cursor[1]);
    const cast = v.sort === "lastLogin" ? "::timestamptz" : v.sort === "id" ? "::int" : "::bigint";
    keyset.push(`(${expr}, id) ${dir === "ASC" ? ">" : "<"} (${value}${cast}, ${p(Number(cursor[2]))}::int)`);
  }
  const limit = p(v.pageSize + 1);
  const pageSql = `SELECT ${COLUMNS} FROM users ${keyset.length ? `WHERE ${keyset.join(" AND ")}` : ""}
    ORDER BY ${expr} ${dir}, id ${dir} LIMIT ${limit}`;
  const countSql = `SELECT count(*)::int AS n FROM (SELECT 1 FROM users ${filter} LIMIT ${USER_TOTAL_CAP + 1}) s`;
  const [page, count] = await Promise.all([
    pgPool().query<UserRow>(pageSql, params),
    pgPool().query<{ n: number }>(countSql, params.slice(0, filterParams)),
  ]);
  const rows = page.rows.slice(0, v.pageSize);
  const last = rows.at(-1);
  return {
    items: rows.map(toDTO),
    next: page.rows.length > v.pageSize && last ? `${sortValue(v.sort, last)}~${last.id}` : null,
    total: Math.min(count.rows[0].n, USER_TOTAL_CAP),
    capped: count.rows[0].n > USER_TOTAL_CAP,
  };
}

export type UserFormOptionsDTO = {
  groups: { name: string; description: string; ratio: number | null }[];
  /** the roles the signed-in operator may give */
  roles: RoleName[];
  operator: { id: number; role: RoleName };
};

export async function getUserFormOptions(operator: Actor): Promise<UserFormOptionsDTO> {
  const o = await getOptions();
  return {
    groups: knownGroups(o).map((name) => ({
      name,
      description: o.UserUsableGroups[name] ?? "",
      ratio: o.GroupRatio[name] ?? null,
    })),
    roles: grantableRoles(operator).map(roleName),
    operator: { id: operator.id, role: roleName(operator.role) },
  };
}
