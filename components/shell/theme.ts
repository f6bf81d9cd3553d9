// The light/dark choice: a class on <html>, remembered in a cookie so the server renders the
// right class and nothing flashes. Without a cookie the system preference applies (inline script).
export const THEME_COOKIE = "tollgate-theme";
export type Theme = "light" | "dark";
export const isTheme = (v: unknown): v is Theme => v === "light" || v === "dark";

/** runs before first paint when no theme is remembered: follow the operating system */
export const SYSTEM_THEME_SCRIPT = `(function(){try{if(!document.cookie.match(/(?:^|; )${THEME_COOKIE}=/)&&window.matchMedia("(prefers-color-scheme: dark)").matches)document.documentElement.classList.add("dark")}catch(e){}})()`;
