import type { Metadata, Viewport } from "next";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import { isTheme, SYSTEM_THEME_SCRIPT, THEME_COOKIE } from "@/components/shell/theme";
import { messagesOf } from "@/lib/i18n";
import { getTranslator } from "@/lib/i18n/server";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: { default: t("app.name"), template: `%s · ${t("app.name")}` }, description: t("app.tagline") };
}

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#fafafa" },
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [{ locale }, jar] = await Promise.all([getTranslator(), cookies()]);
  const theme = jar.get(THEME_COOKIE)?.value;
  return (
    <html
      lang={locale === "zh" ? "zh-CN" : "en"}
      className={theme === "dark" ? "dark" : undefined}
      suppressHydrationWarning
    >
      <head>{isTheme(theme) ? null : <script dangerouslySetInnerHTML={{ __html: SYSTEM_THEME_SCRIPT }} />}</head>
      <body className="min-h-dvh font-sans">
        <Providers locale={locale} messages={messagesOf(locale)}>
          {children}
        </Providers>
      </body>
    </html>
  );
}
