// CSV text, RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. A field
// that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote mark, so an
// exported log cannot carry a formula into the user's spreadsheet.

/** UTF-8 byte order mark: spreadsheets then read Chinese text correctly */
export const CSV_BOM = "\uFEFF";

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA = /^[=+\-@\t\r]/;

function csvField(value: string | number | bigint | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const text = FORMULA.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (fields: Array<string | number | bigint | boolean | null | undefined>) =>
  `${fields.map(csvField).join(",")}\r\n`;
