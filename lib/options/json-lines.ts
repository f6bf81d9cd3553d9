// Where in an admin's JSON text a problem is: the line of a parse error, and the line of the key
// a schema issue names (its path). The settings page shows "line N: message" next to the editor.

/** the 1-based line of a character offset */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** JSON.parse, or the line (and V8's message) of the first syntax error */
export function parseJsonWithLine(
  text: string,
): { ok: true; value: unknown } | { ok: false; line: number; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const lc = /\(line (\d+) column \d+\)/.exec(message);
    if (lc) return { ok: false, line: Number(lc[1]), message: cleanMessage(message) };
    const pos = /at position (\d+)/.exec(message);
    if (pos) return { ok: false, line: lineAt(text, Number(pos[1])), message: cleanMessage(message) };
    // V8 names no position for a bad token ("Unexpected token 'x', ... is not valid JSON")
    return { ok: false, line: lineAt(text, firstStrayToken(text) ?? text.length), message: cleanMessage(message) };
  }
}

/** offset of the first thing outside strings that no JSON value can contain (a bare word, a quote ') */
function firstStrayToken(text: string): number | null {
  const re =
    /"(?:[^"\\]|\\.)*"|(true|false|null)(?![a-zA-Z])|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[\s{}[\],:]+|([a-zA-Z]+|.)/gy;
  for (let m = re.exec(text); m; m = re.exec(text)) if (m[2] !== undefined) return m.index;
  return null;
}

const cleanMessage = (m: string) =>
  m
    .replace(/\s*\(line \d+ column \d+\)/, "")
    .replace(/\s*in JSON at position \d+/, "")
    .replace(/^JSON\.parse: /, "");

/**
 * The line of each key path in a JSON text ("a" -> line of `"a":`, "a\u0000b" -> line of `"b":`
 * inside "a"). A small scanner: strings, nesting, keys; it assumes the text parsed.
 */
export function keyLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const stack: { kind: "obj" | "arr"; key: string | null; index: number }[] = [];
  let line = 1;
  let expectKey = false;
  let pendingKey: { name: string; line: number } | null = null;
  const pathOf = (name: string) =>
    [...stack.map((s) => (s.kind === "arr" ? String(s.index) : s.key)).filter((k) => k !== null), name].join("\u0000");
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    else if (c === '"') {
      let j = i + 1;
      let s = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\") {
          s += text.slice(j, j + 2);
          j += 2;
        } else s += text[j++];
      }
      let name = s;
      try {
        name = JSON.parse(`"${s}"`) as string;
      } catch {
        // left as written
      }
      if (expectKey) {
        pendingKey = { name, line };
        out.set(pathOf(name), line);
        expectKey = false;
      }
      i = j;
    } else if (c === "{") {
      const parentKey = pendingKey?.name ?? null;
      stack.push({ kind: "obj", key: nested(stack, parentKey), index: 0 });
      pendingKey = null;
      expectKey = true;
    } else if (c === "[") {
      stack.push({ kind: "arr", key: nested(stack, pendingKey?.name ?? null), index: 0 });
      pendingKey = null;
    } else if (c === "}" || c === "]") {
      stack.pop();
      pendingKey = null;
    } else if (c === ",") {
      const top = stack[stack.length - 1];
      if (top?.kind === "obj") expectKey = true;
      else if (top) top.index++;
      pendingKey = null;
    }
  }
  return out;
}

// a container's own name in its parent: the key it stands under, or its index in an array
function nested(stack: { kind: "obj" | "arr"; index: number }[], key: string | null): string | null {
  const parent = stack[stack.length - 1];
  if (!parent) return null;
  return parent.kind === "arr" ? String(parent.index) : key;
}

/** the line a schema issue's path points at: its deepest key found, else line 1 */
export function lineOfPath(lines: Map<string, number>, path: readonly PropertyKey[]): number {
  for (let n = path.length; n > 0; n--) {
    const hit = lines.get(path.slice(0, n).map(String).join("\u0000"));
    if (hit !== undefined) return hit;
  }
  return 1;
}
