import { describe, expect, it } from "vitest";
import { assertCanUpdate, canManage, grantableRoles } from "./roles";

const user = { id: 1, role: 1, status: 1 };
const admin = { id: 2, role: 10, status: 1 };
const admin2 = { id: 3, role: 10, status: 1 };
const root = { id: 4, role: 100, status: 1 };
const root2 = { id: 5, role: 100, status: 1 };

const code = (fn: () => unknown) => {
  try {
    fn();
    return "ok";
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe("role rules", () => {
  it.each([
    [admin, user.role, true],
    [admin, admin.role, false],
    [admin, root.role, false],
    [root, root.role, true],
    [root, user.role, true],
  ])("canManage(%o, %i) = %s", (actor, role, expected) => expect(canManage(actor, role)).toBe(expected));

  it.each([
    ["admin edits a user", admin, user, {}, "ok"],
    ["admin disables a user", admin, user, { status: 2 }, "ok"],
    ["admin edits an admin", admin, admin2, {}, "forbidden"],
    ["admin edits themselves", admin, admin, {}, "forbidden"],
    ["admin edits a root", admin, root, { status: 2 }, "forbidden"],
    ["admin promotes a user", admin, user, { role: 10 }, "forbidden"],
    ["root promotes a user", root, user, { role: 10 }, "ok"],
    ["root demotes an admin", root, admin, { role: 1 }, "ok"],
    ["root makes a root", root, admin, { role: 100 }, "ok"],
    ["root changes own role", root, root, { role: 10 }, "forbidden"],
    ["root disables themselves", root, root, { status: 2 }, "forbidden"],
    ["root keeps own role (same value)", root, root, { role: 100 }, "ok"],
  ] as const)("%s -> %s", (_name, actor, target, change, expected) => {
    expect(code(() => assertCanUpdate(actor, target, change))).toBe(expected);
  });

  it("says when an edit takes an enabled root away (the service then counts the others)", () => {
    expect(assertCanUpdate(root, root2, { role: 10 })).toEqual({ removesRoot: true });
    expect(assertCanUpdate(root, root2, { status: 2 })).toEqual({ removesRoot: true });
    expect(assertCanUpdate(root, root2, { role: 100, status: 1 })).toEqual({ removesRoot: false });
    expect(assertCanUpdate(root, { ...root2, status: 2 }, { role: 10 })).toEqual({ removesRoot: false });
  });

  it("only root grants admin or root", () => {
    expect(grantableRoles(admin)).toEqual([1]);
    expect(grantableRoles(root)).toEqual([1, 10, 100]);
  });
});
