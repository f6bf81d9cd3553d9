"use client";
import { useSyncExternalStore } from "react";
import { Toaster as Sonner } from "sonner";
import { useT } from "@/components/i18n/i18n-provider";

// Toasts (sonner): announced to screen readers, stacked, one for every result. The theme follows
// the `dark` class on <html> (the app's own switch), not only the system preference.

function subscribe(onChange: () => void) {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}

export function Toaster() {
  const t = useT();
  const dark = useSyncExternalStore(
    subscribe,
    () => document.documentElement.classList.contains("dark"),
    () => false,
  );
  return (
    <Sonner
      theme={dark ? "dark" : "light"}
      position="top-center"
      richColors
      closeButton
      duration={5000}
      containerAriaLabel={t("common.notifications")}
      toastOptions={{ closeButtonAriaLabel: t("common.close") }}
    />
  );
}
