import { afterEach, describe, expect, it } from "vitest";
import { AddressNotAllowedError, checkHost, guardedLookup, setHostLookup } from "./resolve";

// The DNS side of the address policy with the resolver replaced: a name is refused when any of
// its addresses is, both when a channel is saved (checkHost) and at every new connection
// (guardedLookup), where a name that resolved well at the save may have changed since.

const answers: Record<string, string[]> = {
  "metadata.example.test": ["169.254.169.254"],
  "v6-metadata.example.test": ["fd00:ec2::254"],
  "mixed.example.test": ["93.184.216.34", "fe80::1"],
  "private.example.test": ["192.168.1.20"],
  "public.example.test": ["93.184.216.34"],
};
const stub = () =>
  setHostLookup(async (host) => {
    const list = answers[host];
    if (!list) throw Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" });
    return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  });

afterEach(() => setHostLookup());

describe("checkHost", () => {
  it.each(["metadata.example.test", "v6-metadata.example.test", "mixed.example.test"])("refuses %s", async (host) => {
    stub();
    const r = await checkHost(host, { allowPrivate: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(new RegExp(`^${host} resolves to `));
  });

  it("allows public names, private ones only when allowed, and says when a name does not resolve", async () => {
    stub();
    expect(await checkHost("public.example.test", { allowPrivate: false })).toEqual({
      ok: true,
      addresses: ["93.184.216.34"],
    });
    expect((await checkHost("private.example.test", { allowPrivate: true })).ok).toBe(true);
    expect((await checkHost("private.example.test", { allowPrivate: false })).ok).toBe(false);
    expect(await checkHost("nowhere.example.test", { allowPrivate: true })).toEqual({
      ok: false,
      reason: "nowhere.example.test could not be resolved",
    });
  });
});

describe("guardedLookup", () => {
  const lookup = (host: string, all = false) =>
    new Promise<{ err: Error | null; address: unknown }>((resolve) =>
      guardedLookup({ allowPrivate: true })(host, { all }, (err, address) => resolve({ err, address })),
    );

  it("refuses a connection to a name that now resolves to a metadata address", async () => {
    stub();
    const r = await lookup("metadata.example.test");
    expect(r.err).toBeInstanceOf(AddressNotAllowedError);
    expect(r.err?.message).toBe("metadata.example.test resolves to 169.254.169.254, a cloud metadata address");
    expect((await lookup("mixed.example.test", true)).err).toBeInstanceOf(AddressNotAllowedError);
  });

  it("hands an allowed name's addresses to the socket", async () => {
    stub();
    expect(await lookup("public.example.test")).toEqual({ err: null, address: "93.184.216.34" });
    expect(await lookup("public.example.test", true)).toEqual({
      err: null,
      address: [{ address: "93.184.216.34", family: 4 }],
    });
  });
});
