// Preferences the browser remembers in cookies, so the server renders them on the next request.
const YEAR_S = 365 * 24 * 60 * 60;

export function rememberPreference(name: string, value: string): void {
  document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=${YEAR_S}; SameSite=Lax`;
}

export function setDocumentLang(lang: string): void {
  document.documentElement.lang = lang;
}

export function setDarkClass(dark: boolean): void {
  document.documentElement.classList.toggle("dark", dark);
}

export const isDark = (): boolean => document.documentElement.classList.contains("dark");
